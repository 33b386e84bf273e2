import "server-only";

import type { Role } from "@/lib/schemas/auth";
import { createApiToken } from "@/lib/server/auth/tokens";
import { getDb, type Db } from "@/lib/server/db/db";

const tokens = new WeakMap<Db, Map<Role, string>>();
let seq = 0;

/**
 * Headers that authenticate an in-process call of a route handler as `role` (an API token in the
 * process database), for tests that exercise a route's own behaviour rather than access control.
 * One user and token per role and database, made on first use.
 */
export function authHeaders(role: Role = "viewer"): Record<string, string> {
  const db = getDb();
  let byRole = tokens.get(db);
  if (!byRole) tokens.set(db, (byRole = new Map()));
  let token = byRole.get(role);
  if (!token) {
    const n = `${process.pid}-${++seq}-${Date.now().toString(36)}`;
    token = createApiToken(db, { name: `test-${role}-${n}`, role, expiresInDays: 1, createdBy: "test" }, new Date()).token;
    byRole.set(role, token);
  }
  return { authorization: `Bearer ${token}` };
}

/** A `Request` to an in-process route handler, signed in as `role`. */
export function authedRequest(url: string, init: RequestInit = {}, role: Role = "viewer"): Request {
  const headers = new Headers(init.headers);
  for (const [k, v] of Object.entries(authHeaders(role))) headers.set(k, v);
  return new Request(url, { ...init, headers });
}
