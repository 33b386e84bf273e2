import "server-only";

import { CSRF_HEADER, isMutatingMethod } from "@/lib/auth/csrf";
import { clientBucket } from "@/lib/net/client-address";
import { ROLE_LABEL, roleAtLeast } from "@/lib/auth/roles";
import type { Role, RouteRole } from "@/lib/schemas/auth";
import type { Db } from "@/lib/server/platform/db/db";
import { recordAuthFailure } from "@/lib/server/platform/audit";
import { tokenActor, type Actor } from "@/lib/server/auth/actor";
import type { AuthConfig } from "@/lib/server/auth/config";
import { parseCookies } from "@/lib/server/auth/cookies";
import { safeEqual, sha256 } from "@/lib/server/auth/crypto";
import { checkOrigin, hostAllowed } from "@/lib/server/auth/hosts";
import { clientIp, RATE_LIMITS, type RateLimiter, type RateLimitName } from "@/lib/server/auth/rate-limit";
import { actorFromSessionCookie, sessionCookieValue } from "@/lib/server/auth/session-cookie";
import { resolveApiToken } from "@/lib/server/auth/tokens";
import { AppError } from "@/lib/server/platform/errors";

export interface AuthDeps {
  db: Db;
  config: AuthConfig;
  limiter: RateLimiter;
  now: Date;
}

/** Refused for going too fast; the route wrapper answers 429 with Retry-After. */
export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many attempts; try again in ${retryAfterSeconds} s`);
    this.name = "RateLimitedError";
  }
}

/** A route's access declaration, as given to `route()`. */
export interface AccessSpec {
  role: RouteRole;
  /** A named bucket per client IP and endpoint; see RATE_LIMITS. */
  rateLimit?: RateLimitName;
}

/** How many requests per second one endpoint takes from all clients together before refusing. */
const GLOBAL_FACTOR = 20;

/** Longer paths are cut and end in a digest of the whole: still one bucket per path, never a large key. */
const MAX_PATH_IN_KEY = 120;

/**
 * The path as part of a bucket's key. Buckets are rows every replica shares, and the limit is
 * taken before the caller is known, so an anonymous caller choosing long made-up paths would
 * otherwise choose the size of every row it adds.
 */
export function boundedPath(pathname: string): string {
  return pathname.length <= MAX_PATH_IN_KEY ? pathname : `${pathname.slice(0, 64)}…${sha256(pathname).slice(0, 32)}`;
}

/**
 * Everything the route wrapper checks before a declared route runs, in order: the Host header
 * (DNS rebinding), the rate limit, the Origin of a mutating request (cross-site), the caller
 * (bearer token or session cookie), the role, and for cookie sessions the CSRF token.
 * Returns the caller (null only on public routes called anonymously) or throws.
 */
export async function authorize(request: Request, spec: AccessSpec, deps: AuthDeps): Promise<Actor | null> {
  const { headers } = request;
  if (!hostAllowed(headers, deps.config)) {
    throw new AppError("forbidden", `Minos does not answer to the host name "${headers.get("host")}"; add it to MINOS_ALLOWED_HOSTS`);
  }
  const ip = clientIp(headers);
  const endpoint = `${request.method} ${boundedPath(new URL(request.url).pathname)}`;
  if (spec.rateLimit) {
    const policy = RATE_LIMITS[spec.rateLimit];
    const t = deps.now.getTime();
    // Keyed on the address Minos's server saw (never a caller's X-Forwarded-For), so rotating the
    // header neither escapes a client's bucket nor drains anyone else's.
    const own = await deps.limiter.take(`${spec.rateLimit}|${clientBucket(ip)}|${endpoint}`, policy, t);
    if (!own.ok) throw new RateLimitedError(own.retryAfterSeconds);
    const all = await deps.limiter.take(`${spec.rateLimit}|*|${endpoint}`, { capacity: policy.capacity * GLOBAL_FACTOR, refillPerSecond: policy.refillPerSecond * GLOBAL_FACTOR }, t);
    if (!all.ok) throw new RateLimitedError(all.retryAfterSeconds);
  }
  const mutating = isMutatingMethod(request.method);
  if (mutating) {
    const verdict = checkOrigin(headers, deps.config);
    if (!verdict.ok) throw new AppError("forbidden", `Cross-site request refused: ${verdict.reason}`);
  }

  const actor = await resolveActor(request, deps, ip);
  if (spec.role === "public") return actor;
  if (!actor) throw new AppError("unauthorized", "Sign in first, or send an API token as Authorization: Bearer");
  if (!roleAtLeast(actor.role, spec.role)) {
    throw new AppError("forbidden", `This needs the ${ROLE_LABEL[spec.role]} role; ${actor.label} is ${ROLE_LABEL[actor.role]}`, {
      details: { required: spec.role, role: actor.role },
    });
  }
  if (mutating && actor.kind === "user") {
    // A bearer token is never sent by a browser on its own, so only cookie sessions need this.
    const sent = headers.get(CSRF_HEADER);
    if (!sent || !actor.csrfHash || !safeEqual(sha256(sent), actor.csrfHash)) {
      throw new AppError("forbidden", `Missing or wrong CSRF token: send the ${CSRF_HEADER} header with the minos_csrf cookie's value`);
    }
  }
  return actor;
}

/** Wrong bearer tokens from all clients together before wrong ones get 429 everywhere. */
export const BAD_TOKEN_GLOBAL = { capacity: RATE_LIMITS.badToken.capacity * GLOBAL_FACTOR, refillPerSecond: RATE_LIMITS.badToken.refillPerSecond * GLOBAL_FACTOR };

/**
 * The caller behind a request: a bearer token when an Authorization header is present (a wrong
 * one is refused, never silently downgraded to the cookie), else a session cookie, else null.
 * The token is looked up first: a valid one always passes, so nobody's failures (not even the
 * same client's) lock it out. Only a wrong one takes from the client's bad-token bucket and the
 * global one, and gets 429 instead of 401 once either is empty.
 */
export async function resolveActor(request: Request, deps: AuthDeps, ip = clientIp(request.headers)): Promise<Actor | null> {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const token = m ? await resolveApiToken(deps.db, m[1]!, deps.now) : null;
    if (token) return tokenActor(token);
    const t = deps.now.getTime();
    const bucket = clientBucket(ip);
    const own = await deps.limiter.take(`badToken|${bucket}`, RATE_LIMITS.badToken, t);
    const all = own.ok ? await deps.limiter.take("badToken|*", BAD_TOKEN_GLOBAL, t) : null;
    const refusal = !own.ok ? own : all && !all.ok ? all : null;
    await recordAuthFailure(
      deps.db,
      {
        actor: "anonymous",
        action: "auth.token",
        // Past the global ceiling, new addresses share one row, so a botnet cannot add a row each.
        client: all && !all.ok ? "*" : bucket,
        reason: m ? "unknown, revoked or expired token, or its owner is revoked" : "malformed Authorization header",
        rateLimited: refusal !== null,
        details: { ip, firstPath: new URL(request.url).pathname.slice(0, 200) },
      },
      deps.now,
    );
    if (refusal) throw new RateLimitedError(refusal.retryAfterSeconds);
    throw new AppError("unauthorized", "The API token is unknown, revoked or expired");
  }
  const cookies = parseCookies(request.headers.get("cookie"));
  return actorFromSessionCookie(sessionCookieValue((name) => cookies.get(name)), deps);
}

/**
 * For routes whose actions need different roles (`/api/upgrades/:id/[action]`: pause needs an
 * operator, cancel an admin): declare the weakest in `route()`, then call this for the rest.
 */
export function requireRole(actor: Actor | null, min: Role): Actor {
  if (!actor) throw new AppError("unauthorized", "Sign in first, or send an API token as Authorization: Bearer");
  if (!roleAtLeast(actor.role, min)) {
    throw new AppError("forbidden", `This needs the ${ROLE_LABEL[min]} role; ${actor.label} is ${ROLE_LABEL[actor.role]}`, { details: { required: min, role: actor.role } });
  }
  return actor;
}

/** Whether secrets may leave the server unredacted for this caller: admins only, and only when asked. */
export function mayRevealSecrets(actor: Actor | null, asked: boolean): boolean {
  return asked && actor !== null && roleAtLeast(actor.role, "admin");
}
