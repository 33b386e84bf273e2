import "server-only";

import type { Role, RouteRole } from "@/lib/schemas/auth";
import { roleAtLeast } from "@/lib/auth/roles";
import { CSRF_HEADER } from "@/lib/auth/csrf";
import type { Db } from "@/lib/server/platform/db/db";
import type { AuthConfig } from "@/lib/server/auth/config";
import { SESSION_COOKIE } from "@/lib/server/auth/cookies";
import { createSession } from "@/lib/server/auth/sessions";
import { createApiToken } from "@/lib/server/auth/tokens";
import { createUser } from "@/lib/server/auth/users";

/**
 * The route × role × credential matrix, as a reusable harness. Phase 1 runs it over the access
 * routes; phase 2 feeds it every export of every app/api route file (the declared role rides on
 * the handler as `.role`).
 */

/** A route handler as exported by a route.ts, with the role `route()` attached. */
export type Handler = ((request: Request, ctx?: { params?: Promise<Record<string, string>> }) => Promise<Response>) & { role?: RouteRole };

export type Credential = "cookie" | "bearer" | "none";
export const CREDENTIALS: Credential[] = ["cookie", "bearer", "none"];
export const ROLES: Role[] = ["viewer", "operator", "admin"];

/** A user with a live session and a token of the same role. */
export interface Principal {
  role: Role;
  userId: string;
  cookie: string;
  csrf: string;
  bearer: string;
}

let seq = 0;

/** Makes one fresh principal per role (fresh, so a case that signs out or revokes cannot spoil the next). */
export async function seedPrincipals(db: Db, config: AuthConfig, now: Date): Promise<Record<Role, Principal>> {
  const out = {} as Record<Role, Principal>;
  for (const role of ROLES) {
    const n = ++seq;
    const user = await createUser(db, { name: `${role}-${n}`, role, source: "passkey", createdBy: "test" }, now);
    const session = await createSession(db, { userId: user.id, method: "passkey" }, config, now);
    const { token } = await createApiToken(db, { name: `${role}-token-${n}`, role, expiresInDays: 1, createdBy: "test", ownerId: user.id }, now);
    out[role] = { role, userId: user.id, cookie: session.token, csrf: session.csrf, bearer: token };
  }
  return out;
}

export interface RouteCase {
  /** The role the policy demands, written independently of the route's own declaration. */
  role: RouteRole;
  method: string;
  /** The URL path, for the request (and the rate-limit key). */
  path: string;
  handler: Handler;
  params?: (p: Principal) => Record<string, string>;
  body?: unknown;
}

export interface RequestOptions {
  origin?: string | null;
  host?: string;
  csrf?: "right" | "wrong" | "missing";
}

export const BASE = "http://127.0.0.1:3215";

/** A request as a browser (cookie) or a script (bearer) would send it. */
export function makeRequest(c: RouteCase, cred: Credential, p: Principal, o: RequestOptions = {}): Request {
  const headers = new Headers({ host: o.host ?? "127.0.0.1:3215", "x-forwarded-proto": "http", "x-forwarded-for": "10.9.9.9" });
  const mutating = !["GET", "HEAD"].includes(c.method);
  if (cred === "cookie") {
    headers.set("cookie", `${SESSION_COOKIE}=${p.cookie}; minos_csrf=${p.csrf}`);
    if (mutating && o.origin !== null) headers.set("origin", o.origin ?? BASE);
    const csrf = o.csrf ?? "right";
    if (mutating && csrf !== "missing") headers.set(CSRF_HEADER, csrf === "right" ? p.csrf : "x".repeat(43));
  } else if (cred === "bearer") {
    headers.set("authorization", `Bearer ${p.bearer}`);
    if (o.origin) headers.set("origin", o.origin);
  } else if (mutating && o.origin !== null) {
    headers.set("origin", o.origin ?? BASE);
  }
  let body: string | undefined;
  if (c.body !== undefined) {
    body = JSON.stringify(c.body);
    headers.set("content-type", "application/json");
  }
  return new Request(`${BASE}${c.path}`, { method: c.method, headers, body });
}

export async function call(c: RouteCase, req: Request, p: Principal): Promise<Response> {
  return c.handler(req, { params: Promise.resolve(c.params?.(p) ?? {}) });
}

/** What the guard must answer: "pass" (the handler ran, whatever it then said), 401 or 403. */
export function expectedGuard(routeRole: RouteRole, cred: Credential, role: Role): "pass" | 401 | 403 {
  if (routeRole === "public") return "pass";
  if (cred === "none") return 401;
  return roleAtLeast(role, routeRole) ? "pass" : 403;
}

/** Whether a response came from the guard refusing the caller (as opposed to the handler's own verdict). */
export async function guardVerdict(res: Response): Promise<"pass" | 401 | 403> {
  if (res.status !== 401 && res.status !== 403) return "pass";
  const body = (await res.clone().json()) as { error?: { message?: string } };
  const msg = body.error?.message ?? "";
  const fromGuard = /^(Sign in first|This needs the|Missing or wrong CSRF|Cross-site request refused|Minos does not answer|The API token is)/.test(msg);
  return fromGuard ? (res.status as 401 | 403) : "pass";
}
