import "server-only";

import type { Actor } from "@/lib/server/auth/actor";
import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { authorize, RateLimitedError, type AuthDeps } from "@/lib/server/auth/guard";
import { AppError, isAppError } from "@/lib/server/platform/errors";
import { processState } from "@/lib/server/platform/process-state";

import type { SessionRecheck } from "./pump";

/** Log, dmesg and event streams one person may hold open at once (per process). */
export const MAX_STREAMS_PER_USER = 16;

/** How often an open stream checks its session again. */
export const SESSION_RECHECK_MS = 30_000;

/**
 * The check `route({ role: "viewer" })` made before the stream opened, made again on the same
 * request (its cookie or bearer token) with fresh deps: signed out, session or user revoked,
 * session expired, role lowered below viewer, or a different caller behind the credential all
 * fail it. Resolving a session refreshes its last-seen time, so a watched stream counts as activity.
 */
export function streamSessionCheck(request: Request, actor: Actor, deps: () => AuthDeps = defaultAuthDeps, everyMs = SESSION_RECHECK_MS): SessionRecheck {
  return {
    everyMs,
    stillAllowed: async () => {
      let now: Actor | null;
      try {
        now = await authorize(request, { role: "viewer" }, deps());
      } catch (e) {
        // A refusal is the answer; anything else (the store down) throws, and the stream ends all the same.
        if (isAppError(e) || e instanceof RateLimitedError) return false;
        throw e;
      }
      return now !== null && now.kind === actor.kind && now.id === actor.id;
    },
  };
}

const g = processState<{ __minosStreamSlots?: Map<string, number> }>();
const slots = () => (g.__minosStreamSlots ??= new Map());

/** Whose slots a stream takes: a token's owner shares the person's count. */
function holder(actor: Actor): string {
  if (actor.kind === "user") return `user:${actor.id}`;
  return actor.ownerId ? `user:${actor.ownerId}` : `token:${actor.id}`;
}

/** Streams `actor`'s person holds open now. */
export function openStreamsOf(actor: Actor): number {
  return slots().get(holder(actor)) ?? 0;
}

/**
 * Takes one of the caller's stream slots; the returned function gives it back (once, however
 * often it is called). Each open stream holds a gRPC stream on a node and a buffer here, so one
 * person (or a script with their token) cannot hold an unbounded number.
 * @throws AppError rate_limited when all {@link MAX_STREAMS_PER_USER} are taken.
 */
export function takeStreamSlot(actor: Actor, max = MAX_STREAMS_PER_USER): () => void {
  const key = holder(actor);
  const open = slots().get(key) ?? 0;
  if (open >= max) {
    throw new AppError("rate_limited", `${actor.label} already has ${open} log, dmesg or event streams open (at most ${max}); close a log or node page and try again`, {
      details: { open, max },
    });
  }
  slots().set(key, open + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const n = (slots().get(key) ?? 1) - 1;
    if (n <= 0) slots().delete(key);
    else slots().set(key, n);
  };
}
