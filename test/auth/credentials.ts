import "server-only";

import type { Role } from "@/lib/schemas/auth";
import { createApiToken } from "@/lib/server/auth/tokens";
import { createUser } from "@/lib/server/auth/users";
import { getLegacyDb as getDb, type LegacyDb as Db } from "@/lib/server/platform/db/db";

const tokens = new WeakMap<Db, Map<Role, { token: string; name: string }>>();
let seq = 0;

/**
 * Headers that authenticate an in-process call of a route handler as `role` (an API token in the
 * process database), for tests that exercise a route's own behaviour rather than access control.
 * One user and token per role and database, made on first use.
 */
export function authHeaders(role: Role = "viewer"): Record<string, string> {
  return { authorization: `Bearer ${credential(role).token}` };
}

/** The audit label (`token:<name>`) of the caller {@link authHeaders} signs in as. */
export function authActorLabel(role: Role = "viewer"): string {
  return `token:${credential(role).name}`;
}

function credential(role: Role): { token: string; name: string } {
  const db = getDb();
  let byRole = tokens.get(db);
  if (!byRole) tokens.set(db, (byRole = new Map()));
  let found = byRole.get(role);
  if (!found) {
    const name = `test-${role}-${process.pid}-${++seq}-${Date.now().toString(36)}`;
    // Tokens belong to a user and act with at most the user's role: a user of the same role.
    const owner = createUser(db, { name: `${name}-owner`, role, source: "passkey", createdBy: "test" }, new Date());
    found = { name, token: createApiToken(db, { name, role, expiresInDays: 1, createdBy: "test", ownerId: owner.id }, new Date()).token };
    byRole.set(role, found);
  }
  return found;
}

/**
 * A `Request` to an in-process route handler, signed in as `role`, with a loopback Host header
 * (the guard refuses requests without an allowed Host, as Next always sends one).
 */
export function authedRequest(url: string, init: RequestInit = {}, role: Role = "viewer"): Request {
  const headers = new Headers(init.headers);
  if (!headers.has("host")) headers.set("host", "127.0.0.1");
  for (const [k, v] of Object.entries(authHeaders(role))) headers.set(k, v);
  return new Request(url, { ...init, headers });
}
