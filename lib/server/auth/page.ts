import "server-only";

import { cookies } from "next/headers";

import type { Role } from "@/lib/schemas/auth";
import { roleAtLeast } from "@/lib/auth/roles";
import { userActor, type Actor } from "@/lib/server/auth/actor";
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from "@/lib/server/auth/cookies";
import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { resolveSession } from "@/lib/server/auth/sessions";

/** The signed-in person for a server component, or null. Pages never see API tokens. */
export async function currentActor(): Promise<Actor | null> {
  const jar = await cookies();
  const value = jar.get(SECURE_SESSION_COOKIE)?.value ?? jar.get(SESSION_COOKIE)?.value;
  if (!value) return null;
  const deps = defaultAuthDeps();
  const session = resolveSession(deps.db, value, deps.config, deps.now);
  return session ? userActor(session.user, session) : null;
}

export type PageAccess = { kind: "signed-out" } | { kind: "forbidden"; actor: Actor } | { kind: "ok"; actor: Actor };

/** Whether the viewer of a page may see it: the page redirects or explains, never half-renders. */
export async function pageAccess(min: Role): Promise<PageAccess> {
  const actor = await currentActor();
  if (!actor) return { kind: "signed-out" };
  return roleAtLeast(actor.role, min) ? { kind: "ok", actor } : { kind: "forbidden", actor };
}
