import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { beforeAll, beforeEach, describe, expect, it } from "vitest";

// The route modules use the process database and config: point them at a temporary state dir.
const stateDir = mkdtempSync(path.join(tmpdir(), "minos-auth-routes-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");
process.env.PORT = "3215";

import * as bootstrap from "@/app/api/auth/bootstrap/route";
import * as invitationsOne from "@/app/api/auth/invitations/[id]/route";
import * as accept from "@/app/api/auth/invitations/accept/route";
import * as invitations from "@/app/api/auth/invitations/route";
import * as preview from "@/app/api/auth/links/preview/route";
import * as authOptions from "@/app/api/auth/passkeys/authenticate/options/route";
import * as authenticate from "@/app/api/auth/passkeys/authenticate/route";
import * as registerOptions from "@/app/api/auth/passkeys/register/options/route";
import * as register from "@/app/api/auth/passkeys/register/route";
import * as session from "@/app/api/auth/session/route";
import * as signOut from "@/app/api/auth/sign-out/route";
import * as tokensOne from "@/app/api/tokens/[id]/route";
import * as tokens from "@/app/api/tokens/route";
import * as userPasskey from "@/app/api/users/[id]/passkeys/[passkeyId]/route";
import * as usersOne from "@/app/api/users/[id]/route";
import * as users from "@/app/api/users/route";
import { listAudit } from "@/lib/server/platform/audit";
import { authConfig } from "@/lib/server/auth/config";
import { rateLimiter } from "@/lib/server/auth/rate-limit";
import { viaServer } from "@/test/auth/client";
import { BASE, call, CREDENTIALS, expectedGuard, guardVerdict, makeRequest, ROLES, seedPrincipals, type Principal, type RouteCase } from "@/test/auth/matrix";
import { getDb } from "@/lib/server/platform/db/db";
import type { Role } from "@/lib/schemas/auth";

const webauthnJunk = { id: "AAAA", rawId: "AAAA", type: "public-key", response: { clientDataJSON: "AAAA", attestationObject: "AAAA", authenticatorData: "AAAA", signature: "AAAA" }, clientExtensionResults: {} };

/** Every access-control route, with a body that gets past validation where that is cheap. */
const CASES: RouteCase[] = [
  { role: "public", method: "GET", path: "/api/auth/session", handler: session.GET },
  { role: "public", method: "POST", path: "/api/auth/sign-out", handler: signOut.POST },
  { role: "public", method: "POST", path: "/api/auth/bootstrap", handler: bootstrap.POST, body: { token: "x".repeat(43), name: "nobody" } },
  { role: "public", method: "POST", path: "/api/auth/links/preview", handler: preview.POST, body: { token: "x".repeat(43) } },
  { role: "admin", method: "GET", path: "/api/auth/invitations", handler: invitations.GET },
  { role: "admin", method: "POST", path: "/api/auth/invitations", handler: invitations.POST, body: { role: "viewer" } },
  { role: "admin", method: "DELETE", path: "/api/auth/invitations/nope", handler: invitationsOne.DELETE, params: () => ({ id: "nope" }) },
  { role: "public", method: "POST", path: "/api/auth/invitations/accept", handler: accept.POST, body: { token: "x".repeat(43), name: "nobody" } },
  { role: "viewer", method: "POST", path: "/api/auth/passkeys/register/options", handler: registerOptions.POST },
  { role: "viewer", method: "POST", path: "/api/auth/passkeys/register", handler: register.POST, body: { response: webauthnJunk } },
  { role: "public", method: "POST", path: "/api/auth/passkeys/authenticate/options", handler: authOptions.POST },
  { role: "public", method: "POST", path: "/api/auth/passkeys/authenticate", handler: authenticate.POST, body: { response: webauthnJunk } },
  { role: "admin", method: "GET", path: "/api/users", handler: users.GET },
  { role: "admin", method: "PATCH", path: "/api/users/nope", handler: usersOne.PATCH, params: () => ({ id: "nope" }), body: { role: "viewer" } },
  { role: "admin", method: "DELETE", path: "/api/users/nope", handler: usersOne.DELETE, params: () => ({ id: "nope" }) },
  { role: "viewer", method: "DELETE", path: "/api/users/me/passkeys/nope", handler: userPasskey.DELETE, params: (p: Principal) => ({ id: p.userId, passkeyId: "nope" }) },
  { role: "admin", method: "GET", path: "/api/tokens", handler: tokens.GET },
  { role: "admin", method: "POST", path: "/api/tokens", handler: tokens.POST, body: { name: "ci", role: "viewer" } },
  { role: "admin", method: "DELETE", path: "/api/tokens/nope", handler: tokensOne.DELETE, params: () => ({ id: "nope" }) },
];

const principals = () => seedPrincipals(getDb(), authConfig(), new Date());

beforeEach(() => rateLimiter().reset());

describe("every access route declares the role the policy table says", () => {
  it.each(CASES.map((c) => [`${c.method} ${c.path}`, c] as const))("%s", (_, c) => {
    expect(c.handler.role).toBe(c.role);
  });
});

describe("route × role × credential", () => {
  const rows = CASES.flatMap((c) => ROLES.flatMap((role) => CREDENTIALS.map((cred) => [`${c.method} ${c.path} as ${role} via ${cred}`, c, role, cred] as const)));
  it.each(rows)("%s", async (_, c, role: Role, cred) => {
    const p = (await principals())[role];
    const res = await call(c, makeRequest(c, cred, p), p);
    expect({ status: res.status, verdict: await guardVerdict(res) }).toMatchObject({ verdict: expectedGuard(c.role, cred, role) });
    expect(res.status).toBeLessThan(500);
  });
});

describe("cross-site protection on mutating routes", () => {
  const mutating = CASES.filter((c) => c.method !== "GET");
  it.each(mutating.map((c) => [`${c.method} ${c.path}`, c] as const))("%s refuses a foreign Origin and a wrong Host", async (_, c) => {
    const p = (await principals()).admin;
    const foreign = await call(c, makeRequest(c, "cookie", p, { origin: "http://evil.example" }), p);
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { message: string } }).error.message).toMatch(/^Cross-site request refused/);
    const rebound = await call(c, makeRequest(c, "cookie", p, { host: "evil.example:3215" }), p);
    expect(rebound.status).toBe(403);
    expect(((await rebound.json()) as { error: { message: string } }).error.message).toMatch(/^Minos does not answer/);
  });

  it.each(mutating.filter((c) => c.role !== "public").map((c) => [`${c.method} ${c.path}`, c] as const))("%s needs the CSRF token with a cookie, not with a bearer token", async (_, c) => {
    const p = (await principals()).admin;
    for (const csrf of ["missing", "wrong"] as const) {
      const res = await call(c, makeRequest(c, "cookie", p, { csrf }), p);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/CSRF/);
    }
    const bearer = await call(c, makeRequest(c, "bearer", p), p);
    expect(await guardVerdict(bearer)).toBe("pass");
  });

  it("refuses GETs on a wrong Host as well (DNS rebinding reads)", async () => {
    const c = CASES.find((x) => x.path === "/api/users")!;
    const p = (await principals()).admin;
    expect((await call(c, makeRequest(c, "cookie", p, { host: "rebind.example" }), p)).status).toBe(403);
  });
});

describe("bearer tokens", () => {
  it("refuses an unknown token instead of falling back to the cookie, audits it, and slows down guessers", async () => {
    const c = CASES.find((x) => x.path === "/api/users")!;
    const p = (await principals()).admin;
    const req = (auth: string, peer = "203.0.113.10") =>
      viaServer(new Request(`${BASE}/api/users`, { headers: { host: "127.0.0.1:3215", authorization: auth, cookie: `minos_session=${p.cookie}`, "x-forwarded-for": "10.1.1.1" } }), peer);
    const res = await c.handler(req("Bearer minos_wrong"));
    expect(res.status).toBe(401);
    expect((await listAudit(getDb(), { limit: 1 }))[0]).toMatchObject({ actor: "anonymous", action: "auth.token", target: "client:203.0.113.10", result: "refused" });
    for (let i = 0; i < 9; i++) expect((await c.handler(req("Bearer minos_wrong"))).status).toBe(401);
    const limited = await c.handler(req("Bearer minos_wrong"));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("30");
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    // Someone else's failures, or the same client's, never lock out a valid token.
    expect((await c.handler(req(`Bearer ${p.bearer}`))).status).toBe(200);
    expect((await c.handler(req(`Bearer ${p.bearer}`, "198.51.100.20"))).status).toBe(200);
  });

  it("act with their owner's current role: a demoted owner's admin token is refused admin routes, a revoked owner's gets 401", async () => {
    const { admin, operator } = await principals();
    const listCase = CASES.find((x) => x.path === "/api/users")!;
    const asToken = () => listCase.handler(new Request(`${BASE}/api/users`, { headers: { host: "127.0.0.1:3215", authorization: `Bearer ${operator.bearer}` } }));
    // The operator's token has the operator role; give its owner admin, then a token of admin role.
    const patch = (id: string, role: Role): RouteCase => ({ role: "admin", method: "PATCH", path: `/api/users/${id}`, handler: usersOne.PATCH, params: () => ({ id }), body: { role } });
    expect((await call(patch(operator.userId, "admin"), makeRequest(patch(operator.userId, "admin"), "cookie", admin), admin)).status).toBe(200);
    const mint: RouteCase = { role: "admin", method: "POST", path: "/api/tokens", handler: tokens.POST, body: { name: "owned-admin", role: "admin", expiresInDays: 30 } };
    const minted = await call(mint, makeRequest(mint, "cookie", { ...operator, role: "admin" }), operator);
    expect(minted.status).toBe(200);
    const { token: secret, apiToken } = (await minted.json()) as { token: string; apiToken: { ownerId: string } };
    expect(apiToken.ownerId).toBe(operator.userId);
    const withSecret = () => listCase.handler(new Request(`${BASE}/api/users`, { headers: { host: "127.0.0.1:3215", authorization: `Bearer ${secret}` } }));
    expect((await withSecret()).status).toBe(200);

    expect((await call(patch(operator.userId, "viewer"), makeRequest(patch(operator.userId, "viewer"), "cookie", admin), admin)).status).toBe(200);
    const demoted = await withSecret();
    expect(demoted.status).toBe(403);
    expect(((await demoted.json()) as { error: { message: string } }).error.message).toBe("This needs the Admin role; token:owned-admin is Viewer");
    expect((await asToken()).status).toBe(403);

    const revoke: RouteCase = { role: "admin", method: "DELETE", path: `/api/users/${operator.userId}`, handler: usersOne.DELETE, params: () => ({ id: operator.userId }) };
    expect((await call(revoke, makeRequest(revoke, "cookie", admin), admin)).status).toBe(200);
    expect((await withSecret()).status).toBe(401);
    expect((await asToken()).status).toBe(401);
    const listed = await tokens.GET(new Request(`${BASE}/api/tokens`, { headers: { host: "127.0.0.1:3215", authorization: `Bearer ${admin.bearer}` } }));
    const owned = ((await listed.json()) as { tokens: { name: string; revokedAt: string | null }[] }).tokens.filter((t) => t.name === "owned-admin");
    expect(owned).toEqual([expect.objectContaining({ revokedAt: expect.any(String) })]);
  });
});

describe("rate limits on sign-in endpoints", () => {
  it("turn a client away after the burst, with Retry-After", async () => {
    const c = CASES.find((x) => x.path === "/api/auth/passkeys/authenticate/options")!;
    const p = (await principals()).viewer;
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await call(c, makeRequest(c, "none", p), p)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses[10]).toBe(429);
  });
});

describe("the flows through the routes", () => {
  beforeAll(async () => {
    await rateLimiter().reset();
  });

  it("an admin invites, the invitee accepts and is a viewer; tokens are shown once and then work", async () => {
    const admin = (await principals()).admin;
    const inv = invitations.POST;
    const created = await call({ role: "admin", method: "POST", path: "/api/auth/invitations", handler: inv, body: { role: "viewer", name: "vic" } }, makeRequest({ role: "admin", method: "POST", path: "/api/auth/invitations", handler: inv, body: { role: "viewer", name: "vic" } }, "cookie", admin), admin);
    expect(created.status).toBe(200);
    const { url } = (await created.json()) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:3215\/invite#token=/);
    const token = url.split("#token=")[1]!;

    const acceptCase: RouteCase = { role: "public", method: "POST", path: "/api/auth/invitations/accept", handler: accept.POST, body: { token, name: "vic" } };
    const accepted = await call(acceptCase, makeRequest(acceptCase, "none", admin), admin);
    expect(accepted.status).toBe(200);
    const setCookies = accepted.headers.getSetCookie();
    expect(setCookies.find((c) => c.startsWith("minos_session="))).toMatch(/HttpOnly; Max-Age=\d+$|HttpOnly.*Max-Age/);
    const cookie = setCookies.map((c) => c.split(";")[0]).join("; ");
    const me = await session.GET(new Request(`${BASE}/api/auth/session`, { headers: { host: "127.0.0.1:3215", cookie } }));
    expect(await me.json()).toMatchObject({ user: { name: "vic", role: "viewer", passkeys: 0 }, setupRequired: false });
    const asViewer = await users.GET(new Request(`${BASE}/api/users`, { headers: { host: "127.0.0.1:3215", cookie } }));
    expect(asViewer.status).toBe(403);

    const tokCase: RouteCase = { role: "admin", method: "POST", path: "/api/tokens", handler: tokens.POST, body: { name: "deploy-bot", role: "operator", expiresInDays: 30 } };
    const tok = await call(tokCase, makeRequest(tokCase, "cookie", admin), admin);
    const { token: secret, apiToken } = (await tok.json()) as { token: string; apiToken: { id: string } };
    expect(tok.headers.get("cache-control")).toBe("no-store");
    const list = await tokens.GET(new Request(`${BASE}/api/tokens`, { headers: { host: "127.0.0.1:3215", authorization: `Bearer ${admin.bearer}` } }));
    expect(JSON.stringify(await list.json())).not.toContain(secret);
    const meByToken = await session.GET(new Request(`${BASE}/api/auth/session`, { headers: { host: "127.0.0.1:3215", authorization: `Bearer ${secret}` } }));
    expect(await meByToken.json()).toMatchObject({ user: { name: "deploy-bot", role: "operator" } });

    const revokeCase: RouteCase = { role: "admin", method: "DELETE", path: `/api/tokens/${apiToken.id}`, handler: tokensOne.DELETE, params: () => ({ id: apiToken.id }) };
    expect((await call(revokeCase, makeRequest(revokeCase, "cookie", admin), admin)).status).toBe(200);
    const after = await session.GET(new Request(`${BASE}/api/auth/session`, { headers: { host: "127.0.0.1:3215", authorization: `Bearer ${secret}` } }));
    expect(after.status).toBe(401);

    const actions = (await listAudit(getDb(), { limit: 50 })).map((e) => `${e.actor} ${e.action} ${e.result}`);
    expect(actions).toEqual(expect.arrayContaining([expect.stringMatching(/^user:admin-\d+ invitation.create ok$/), "user:vic auth.invitation ok", expect.stringMatching(/^user:admin-\d+ token.create ok$/), expect.stringMatching(/^user:admin-\d+ token.revoke ok$/)]));
  });

  it("sign-out ends the session and clears the cookies", async () => {
    const p = (await principals()).viewer;
    const c: RouteCase = { role: "public", method: "POST", path: "/api/auth/sign-out", handler: signOut.POST };
    const res = await call(c, makeRequest(c, "cookie", p), p);
    expect(res.headers.getSetCookie().some((s) => s.startsWith("minos_session=;") && s.includes("Max-Age=0"))).toBe(true);
    const me = await session.GET(new Request(`${BASE}/api/auth/session`, { headers: { host: "127.0.0.1:3215", cookie: `minos_session=${p.cookie}` } }));
    expect(((await me.json()) as { user: unknown }).user).toBeNull();
  });

  it("the last admin cannot be demoted or revoked, and nobody revokes themselves", async () => {
    await getDb().updateTable("users").set({ revoked_at: new Date().toISOString() }).where("role", "=", "admin").execute();
    const p = (await principals()).admin;
    const demote: RouteCase = { role: "admin", method: "PATCH", path: "/api/users/x", handler: usersOne.PATCH, params: (q) => ({ id: q.userId }), body: { role: "viewer" } };
    const res = await call(demote, makeRequest(demote, "cookie", p), p);
    expect(res.status).toBe(409);
    const self: RouteCase = { role: "admin", method: "DELETE", path: "/api/users/x", handler: usersOne.DELETE, params: (q) => ({ id: q.userId }) };
    expect((await call(self, makeRequest(self, "cookie", p), p)).status).toBe(409);
  });

  it("a body over the limit is refused before it is read", async () => {
    const p = (await principals()).admin;
    const c: RouteCase = { role: "admin", method: "POST", path: "/api/tokens", handler: tokens.POST, body: { name: "x".repeat(5000), role: "viewer" } };
    expect((await call(c, makeRequest(c, "cookie", p), p)).status).toBe(413);
  });
});

describe("routes without a declaration", () => {
  it("are refused even when a cast slips one past the compiler", async () => {
    const { route } = await import("@/lib/server/http/route");
    const GET = route({} as { role: "public" }, () => ({ ok: true }));
    const res = await GET(new Request(`${BASE}/api/x`, { headers: { host: "127.0.0.1:3215" } }));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/declares no role/);
  });
});
