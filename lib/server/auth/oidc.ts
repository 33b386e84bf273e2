import "server-only";

import * as client from "openid-client";

import type { Role } from "@/lib/schemas/auth";
import { roleAtLeast } from "@/lib/auth/roles";
import { clientBucket } from "@/lib/net/client-address";
import { recordAudit, recordAuthFailure } from "@/lib/server/platform/audit";
import { saveChallenge, takeChallenge } from "@/lib/server/auth/challenges";
import type { OidcConfig } from "@/lib/server/auth/config";
import { CHALLENGE_COOKIE, clearCookie, parseCookies } from "@/lib/server/auth/cookies";
import { requestOrigin } from "@/lib/server/auth/hosts";
import { clientIp } from "@/lib/server/auth/rate-limit";
import { challengeCookie, isSecureRequest, sessionCookies, type WithCookies } from "@/lib/server/auth/respond";
import type { ServiceDeps } from "@/lib/server/auth/service";
import { createSession } from "@/lib/server/auth/sessions";
import { createUser, findOidcUser, lockOidcSubject, markSignedIn, setUserRole } from "@/lib/server/auth/users";
import { AppError } from "@/lib/server/platform/errors";
import { processState } from "@/lib/server/platform/process-state";

/**
 * The strongest role any of the person's groups maps to; "*" in the map applies to everyone the
 * issuer signs in. Null: none of their groups is mapped, and Minos refuses them.
 */
export function roleFromGroups(groups: readonly string[], roleMap: ReadonlyMap<string, Role>): Role | null {
  let best: Role | null = roleMap.get("*") ?? null;
  for (const g of groups) {
    const role = roleMap.get(g);
    if (role && (!best || roleAtLeast(role, best))) best = role;
  }
  return best;
}

/** Groups from a claim that may be a list, a single string, or missing. */
export function groupsFromClaims(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  if (typeof value === "string") return value.split(/[\s,]+/).filter(Boolean);
  return [];
}

const g = processState<{ __minosOidc?: Promise<client.Configuration>; __minosOidcKey?: string }>();

/** Discovers the issuer once per process; a failed discovery is retried on the next sign-in. */
async function oidcClient(cfg: OidcConfig): Promise<client.Configuration> {
  const key = `${cfg.issuer.href}|${cfg.clientId}`;
  if (!g.__minosOidc || g.__minosOidcKey !== key) {
    // Plain HTTP only for an issuer on this machine (a test or a local IdP), never across a network.
    const local = cfg.issuer.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(cfg.issuer.hostname);
    g.__minosOidcKey = key;
    g.__minosOidc = client
      .discovery(cfg.issuer, cfg.clientId, cfg.clientSecret, undefined, local ? { execute: [client.allowInsecureRequests] } : undefined)
      .catch((e: unknown) => {
        g.__minosOidc = undefined;
        throw new AppError("misconfigured", `OpenID Connect discovery at ${cfg.issuer.href} failed: ${(e as Error).message}`);
      });
  }
  return g.__minosOidc;
}

function callbackUrl(request: Request, deps: ServiceDeps): string {
  return new URL("/api/auth/oidc/callback", requestOrigin(request.headers, deps.config)).toString();
}

interface PendingOidc {
  verifier: string;
  state: string;
  nonce: string;
  redirectUri: string;
}

/** Starts the authorization code flow with PKCE, state and nonce; answers a redirect to the issuer. */
export async function startOidc(request: Request, deps: ServiceDeps): Promise<Response> {
  const cfg = deps.config.oidc;
  if (!cfg) throw new AppError("not_found", "Single sign-on is not configured");
  const oidc = await oidcClient(cfg);
  const pending: PendingOidc = { verifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce(), redirectUri: callbackUrl(request, deps) };
  const url = client.buildAuthorizationUrl(oidc, {
    redirect_uri: pending.redirectUri,
    scope: "openid profile email",
    code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: "S256",
    state: pending.state,
    nonce: pending.nonce,
  });
  const handle = await saveChallenge(deps.db, "oidc", pending, null, deps.now);
  const headers = new Headers({ location: url.toString(), "cache-control": "no-store" });
  headers.append("set-cookie", challengeCookie(handle, isSecureRequest(request, deps.config)));
  return new Response(null, { status: 302, headers });
}

/**
 * Finishes the flow: exchanges the code, checks state, nonce and the ID token, maps groups to a
 * role (re-read at every sign-in: the issuer stays the source of truth), and starts a session.
 */
export async function finishOidc(request: Request, deps: ServiceDeps): Promise<WithCookies<{ user: { name: string; role: Role } }>> {
  const cfg = deps.config.oidc;
  if (!cfg) throw new AppError("not_found", "Single sign-on is not configured");
  const ip = clientIp(request.headers);
  const refuse = async (reason: string, actor = "anonymous"): Promise<never> => {
    await recordAuthFailure(deps.db, { actor, action: "auth.sign_in", client: clientBucket(ip), result: "failed", reason, details: { method: "oidc", ip } }, deps.now);
    throw new AppError("unauthorized", `Single sign-on failed: ${reason}`);
  };
  const pending = await takeChallenge<PendingOidc>(deps.db, parseCookies(request.headers.get("cookie")).get(CHALLENGE_COOKIE), "oidc", null, deps.now);
  if (!pending) return refuse("the sign-in took too long or was started in another browser; try again");
  const oidc = await oidcClient(cfg);
  const current = new URL(request.url);
  const here = new URL(pending.redirectUri);
  here.search = current.search;
  let claims: Record<string, unknown>;
  try {
    const tokens = await client.authorizationCodeGrant(oidc, here, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    claims = (tokens.claims() ?? {}) as Record<string, unknown>;
  } catch (e) {
    return refuse((e as Error).message);
  }
  const subject = String(claims.sub ?? "");
  const name = String(claims.preferred_username ?? claims.email ?? claims.name ?? subject).slice(0, 64);
  const role = roleFromGroups(groupsFromClaims(claims, cfg.groupsClaim), cfg.roleMap);
  if (!role) return refuse(`none of your groups (claim "${cfg.groupsClaim}") is mapped to a Minos role`, `user:${name}`);
  const outcome = await deps.db.transaction().execute(async (trx) => {
    await lockOidcSubject(trx, cfg.issuer.href, subject);
    let user = await findOidcUser(trx, cfg.issuer.href, subject);
    // Refused after the transaction: the failure row is written on the store, not inside this transaction's connection.
    if (user?.revokedAt) return { revoked: user.name } as const;
    if (!user) user = { ...(await createUser(trx, { name, role, source: "oidc", createdBy: `oidc:${cfg.issuer.host}`, oidc: { issuer: cfg.issuer.href, subject } }, deps.now)), passkeyCount: 0 };
    else if (user.role !== role) await setUserRole(trx, user.id, role);
    await markSignedIn(trx, user.id, deps.now);
    await recordAudit(trx, { actor: `user:${user.name}`, action: "auth.sign_in", target: "oidc", result: "ok", details: { role, ip } });
    return { session: await createSession(trx, { userId: user.id, method: "oidc", ip, userAgent: request.headers.get("user-agent") }, deps.config, deps.now) };
  });
  if ("revoked" in outcome) return refuse("your Minos account was revoked by an admin", `user:${outcome.revoked}`);
  const { session } = outcome;
  const secure = isSecureRequest(request, deps.config);
  return { body: { user: { name, role } }, cookies: [...sessionCookies(session, secure, deps.now), clearCookie("minos_challenge", { secure, httpOnly: true })] };
}
