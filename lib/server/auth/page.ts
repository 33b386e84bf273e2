import "server-only";

import { cookies, headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";

import type { Role } from "@/lib/schemas/auth";
import { signInPath } from "@/lib/auth/next-path";
import { roleAtLeast } from "@/lib/auth/roles";
import type { Actor } from "@/lib/server/auth/actor";
import { authConfig } from "@/lib/server/auth/config";
import { PAGE_PATH_HEADER } from "@/lib/server/auth/page-path";
import { actorFromSessionCookie, sessionCookieValue } from "@/lib/server/auth/session-cookie";
import { getDb } from "@/lib/server/platform/db/db";

/**
 * The signed-in person for a server component, or null. Pages never see API tokens. Cached per
 * request, so the layout, the page and its metadata share one session lookup.
 */
export const currentActor = cache(async (): Promise<Actor | null> => {
  const jar = await cookies();
  return actorFromSessionCookie(
    sessionCookieValue((name) => jar.get(name)?.value),
    { db: getDb(), config: authConfig(), now: new Date() },
  );
});

/**
 * Proof that this request's session was checked, and whose it is. Only this module makes one,
 * and the page data functions (lib/server/page-data.ts) refuse to run without one: a page cannot
 * read data before it checked who asks, even if it forgot to (the layout is no guard: Next skips
 * layouts on client-side navigations, and renders a page alongside its layout anyway).
 */
export interface PageGrant {
  readonly actor: Actor;
}

const issued = new WeakSet<PageGrant>();

function grantFor(actor: Actor): PageGrant {
  const grant: PageGrant = Object.freeze({ actor });
  issued.add(grant);
  return grant;
}

/** The grant's person, if the grant is real and the person has at least `min`; throws otherwise. */
export function grantedActor(grant: PageGrant, min: Role): Actor {
  if (!issued.has(grant)) throw new Error("Page data was asked for without a checked session: call requirePageActor first");
  if (!roleAtLeast(grant.actor.role, min)) throw new Error(`Page data for the ${min} role was asked for by a ${grant.actor.role}`);
  return grant.actor;
}

export type PageAccess = { kind: "forbidden"; actor: Actor } | { kind: "ok"; actor: Actor; grant: PageGrant };

async function signIn(): Promise<never> {
  redirect(signInPath((await headers()).get(PAGE_PATH_HEADER)));
}

/**
 * The first thing every dashboard page does (a test holds every page to it): a visitor without
 * a live session is sent to sign in and back; one below `min` gets "forbidden", for the page to
 * explain. Nothing is read before this returns.
 */
export async function requirePageAccess(min: Role): Promise<PageAccess> {
  const actor = await currentActor();
  if (!actor) return signIn();
  return roleAtLeast(actor.role, min) ? { kind: "ok", actor, grant: grantFor(actor) } : { kind: "forbidden", actor };
}

/** As {@link requirePageAccess}, for pages with nothing to explain: below `min`, the page does not exist. */
export async function requirePageActor(min: Role): Promise<PageGrant> {
  const access = await requirePageAccess(min);
  if (access.kind === "forbidden") notFound();
  return access.grant;
}

/** The grant for whoever is signed in, or null, without redirecting: for the shell and the not-found page. */
export async function currentPageGrant(): Promise<PageGrant | null> {
  const actor = await currentActor();
  return actor ? grantFor(actor) : null;
}
