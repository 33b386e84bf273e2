import "server-only";

import type { Role } from "@/lib/schemas/auth";
import { createApiToken } from "@/lib/server/auth/tokens";
import { createUser } from "@/lib/server/auth/users";
import { getDb, type Db } from "@/lib/server/platform/db/db";

interface Credential {
  name: string;
  /** The bearer secret, once the user and token are in the database. */
  token: Promise<string>;
}

const tokens = new WeakMap<Db, Map<Role, Credential>>();
let seq = 0;

/**
 * Headers that authenticate an in-process call of a route handler as `role` (an API token in the
 * process database), for tests that exercise a route's own behaviour rather than access control.
 * One user and token per role and database, made on first use.
 */
export async function authHeaders(role: Role = "viewer"): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await credential(role).token}` };
}

/** The audit label (`token:<name>`) of the caller {@link authHeaders} signs in as. */
export function authActorLabel(role: Role = "viewer"): string {
  return `token:${credential(role).name}`;
}

function credential(role: Role): Credential {
  const db = getDb();
  let byRole = tokens.get(db);
  if (!byRole) tokens.set(db, (byRole = new Map()));
  let found = byRole.get(role);
  if (!found) {
    const name = `test-${role}-${process.pid}-${++seq}-${Date.now().toString(36)}`;
    const token = (async () => {
      // Tokens belong to a user and act with at most the user's role: a user of the same role.
      const owner = await createUser(db, { name: `${name}-owner`, role, source: "passkey", createdBy: "test" }, new Date());
      return (await createApiToken(db, { name, role, expiresInDays: 1, createdBy: "test", ownerId: owner.id }, new Date())).token;
    })();
    found = { name, token };
    byRole.set(role, found);
  }
  return found;
}

/**
 * A `Request` to an in-process route handler, signed in as `role`, with a loopback Host header
 * (the guard refuses requests without an allowed Host, as Next always sends one).
 */
export async function authedRequest(url: string, init: RequestInit = {}, role: Role = "viewer"): Promise<Request> {
  const headers = new Headers(init.headers);
  if (!headers.has("host")) headers.set("host", "127.0.0.1");
  for (const [k, v] of Object.entries(await authHeaders(role))) headers.set(k, v);
  return new Request(url, { ...init, headers });
}
