import "server-only";

import type { AuthConfig } from "@/lib/server/auth/config";
import { userActor, type Actor } from "@/lib/server/auth/actor";
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from "@/lib/server/auth/cookies";
import { resolveSession } from "@/lib/server/auth/sessions";
import type { Db } from "@/lib/server/platform/db/db";

/** The session cookie's value from a cookie jar; over HTTPS the __Host- one is the real one. */
export function sessionCookieValue(get: (name: string) => string | undefined): string | undefined {
  return get(SECURE_SESSION_COOKIE) || get(SESSION_COOKIE) || undefined;
}

/**
 * The signed-in person behind a session cookie's value, or null when there is no cookie or its
 * session is unknown, expired, idle too long, signed out, or its user revoked. The proxy and
 * every page decide with this one function, so they never disagree about who is signed in.
 */
export async function actorFromSessionCookie(value: string | undefined, deps: { db: Db; config: Pick<AuthConfig, "sessionIdleMs">; now: Date }): Promise<Actor | null> {
  if (!value) return null;
  const session = await resolveSession(deps.db, value, deps.config, deps.now);
  return session ? userActor(session.user, session) : null;
}
