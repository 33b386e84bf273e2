import "server-only";

import type { FleetEvent } from "@/lib/schemas/fleet";
import { processState } from "@/lib/server/platform/process-state";

/**
 * In-process pub/sub feeding Server-Sent Events. Topics and their payloads; other features add
 * theirs by declaration merging:
 *
 * ```ts
 * declare module "@/lib/server/platform/events" { interface ServerEvents { upgrade: UpgradeEvent } }
 * ```
 */
export interface ServerEvents {
  /** Fleet health changes (the poller publishes; `type` is never `snapshot` here). */
  fleet: FleetEvent;
}

type Listener<T> = (payload: T) => void;

// In the process state (process-state.ts): instrumentation, route handlers and pages can be separate module instances
// in one server process, and they must all share one bus.
const g = processState<{
  __minosEventBus?: Map<string, Set<Listener<unknown>>>;
  __minosEventRelay?: (topic: string, payload: unknown) => void;
}>();

function topics(): Map<string, Set<Listener<unknown>>> {
  g.__minosEventBus ??= new Map();
  return g.__minosEventBus;
}

/** Calls `listener` for every later `publish` on `topic`; returns the unsubscribe function. */
export function subscribe<K extends keyof ServerEvents>(topic: K, listener: Listener<ServerEvents[K]>): () => void {
  const map = topics();
  let set = map.get(topic);
  if (!set) map.set(topic, (set = new Set()));
  set.add(listener as Listener<unknown>);
  return () => {
    set.delete(listener as Listener<unknown>);
  };
}

/**
 * Delivers `payload` synchronously to every subscriber of `topic`. A throwing subscriber is
 * logged and skipped: one broken SSE client must not stop the others or the publisher.
 */
export function publish<K extends keyof ServerEvents>(topic: K, payload: ServerEvents[K]): void {
  deliver(topic, payload);
  g.__minosEventRelay?.(topic, payload);
}

/** Delivers to this process's subscribers only: an event another replica published (platform/relay.ts). */
export function deliver<K extends keyof ServerEvents>(topic: K, payload: ServerEvents[K]): void {
  const set = topics().get(topic);
  if (!set) return;
  for (const listener of [...set]) {
    try {
      listener(payload);
    } catch (e) {
      console.error(`[minos] event subscriber on "${String(topic)}" failed`, e);
    }
  }
}

/** How many listeners a topic has (for tests and metrics). */
export function subscriberCount(topic: keyof ServerEvents): number {
  return topics().get(topic)?.size ?? 0;
}

/** Where published events also go (other replicas, through platform/relay.ts); null to stop. */
export function setEventRelay(relay: ((topic: string, payload: unknown) => void) | null): void {
  g.__minosEventRelay = relay ?? undefined;
}
