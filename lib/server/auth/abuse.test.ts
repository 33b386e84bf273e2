/**
 * Issue 11, findings 3, 4 and 7: rate limits keyed on the address Minos's server saw (never a
 * caller's X-Forwarded-For), valid tokens never locked out by failures, a global ceiling, and an
 * audit log that a flood of refusals cannot flood. Runs the guard itself on a fresh database of
 * the store under test, with requests stamped by the server's own code (`viaServer`).
 */
import { describe, expect, it } from "vitest";

import { parseTrustedProxies, proxyMatcher } from "@/lib/net/client-address";
import { parseEnv } from "@/lib/schemas/env";
import { AUTH_FAILURE_WINDOW_MS, listAudit } from "@/lib/server/platform/audit";
import { buildAuthConfig } from "@/lib/server/auth/config";
import { authorize, BAD_TOKEN_GLOBAL, RateLimitedError, type AuthDeps } from "@/lib/server/auth/guard";
import { RATE_LIMITS, RateLimiter } from "@/lib/server/auth/rate-limit";
import { viaServer } from "@/test/auth/client";
import { createApiToken } from "@/lib/server/auth/tokens";
import { createUser } from "@/lib/server/auth/users";
import { testDb } from "@/test/db";

const t0 = new Date("2026-03-01T10:00:00Z");

async function setup() {
  const db = await testDb();
  const config = buildAuthConfig(parseEnv({ PORT: "3215" }));
  const limiter = new RateLimiter(db);
  const deps = (now = t0): AuthDeps => ({ db, config, limiter, now });
  const owner = await createUser(db, { name: "ada", role: "viewer", source: "passkey", createdBy: "system" }, t0);
  const { token } = await createApiToken(db, { name: "dash", role: "viewer", expiresInDays: 30, createdBy: "user:ada", ownerId: owner.id }, t0);
  return { db, deps, token };
}

const BASE = "http://127.0.0.1:3215";

/** What authorize() does with a request: the caller's label, or the status it refuses with. */
async function outcome(fn: () => Promise<unknown>): Promise<string | number> {
  try {
    const actor = (await fn()) as { label: string } | null;
    return actor?.label ?? "anonymous";
  } catch (e) {
    if (e instanceof RateLimitedError) return 429;
    const code = (e as { code?: string }).code;
    return code === "unauthorized" ? 401 : code === "forbidden" ? 403 : String(e);
  }
}

/** `n` attempts one after another, as one client would make them; their outcomes in order. */
async function attempts(n: number, one: (i: number) => Promise<string | number>): Promise<(string | number)[]> {
  const out: (string | number)[] = [];
  for (let i = 0; i < n; i++) out.push(await one(i));
  return out;
}

function signInOptions(peer: string, xff: string, proxies = "") {
  const req = new Request(`${BASE}/api/auth/passkeys/authenticate/options`, { method: "POST", headers: { host: "127.0.0.1:3215", origin: BASE, "x-forwarded-for": xff } });
  return viaServer(req, peer, proxyMatcher(parseTrustedProxies(proxies)));
}

function bearer(token: string, peer: string, extra: Record<string, string> = {}) {
  return viaServer(new Request(`${BASE}/api/nodes`, { headers: { host: "127.0.0.1:3215", authorization: `Bearer ${token}`, ...extra } }), peer);
}

describe("passkey sign-in buckets (finding 7)", () => {
  it("a client rotating X-Forwarded-For neither escapes its own bucket nor drains anyone else's", async () => {
    const { deps } = await setup();
    const spec = { role: "public" as const, rateLimit: "signIn" as const };
    const results = await attempts(300, (i) => outcome(() => authorize(signInOptions("203.0.113.66", `10.${i >> 8}.${i & 255}.1`), spec, deps())));
    expect(results.slice(0, RATE_LIMITS.signIn.capacity).every((r) => r === "anonymous")).toBe(true);
    expect(results.slice(RATE_LIMITS.signIn.capacity).every((r) => r === 429)).toBe(true);
    // Another client, even one claiming the attacker's forged addresses, still signs in.
    expect(await outcome(() => authorize(signInOptions("198.51.100.7", "10.0.0.1"), spec, deps()))).toBe("anonymous");
  });

  it("behind a trusted proxy, buckets are per real client, and the proxy's own address is not one", async () => {
    const { deps } = await setup();
    const spec = { role: "public" as const, rateLimit: "signIn" as const };
    const viaProxy = (client: string, forged = "") => signInOptions("10.0.0.2", forged ? `${forged}, ${client}` : client, "10.0.0.0/8");
    for (let i = 0; i < RATE_LIMITS.signIn.capacity; i++) expect(await outcome(() => authorize(viaProxy("203.0.113.5", `192.0.2.${i}`), spec, deps()))).toBe("anonymous");
    expect(await outcome(() => authorize(viaProxy("203.0.113.5", "192.0.2.200"), spec, deps()))).toBe(429);
    expect(await outcome(() => authorize(viaProxy("203.0.113.6"), spec, deps()))).toBe("anonymous");
  });

  it("keep the global per-endpoint ceiling across many clients", async () => {
    const { deps } = await setup();
    const spec = { role: "public" as const, rateLimit: "signIn" as const };
    const total = RATE_LIMITS.signIn.capacity * 20;
    const results = await attempts(total + 5, (i) => outcome(() => authorize(signInOptions(`198.18.${i >> 8}.${i & 255}`, ""), spec, deps())));
    expect(results.filter((r) => r === "anonymous")).toHaveLength(total);
    expect(results.slice(total)).toEqual(Array(5).fill(429));
  });
});

describe("bearer tokens (finding 3)", () => {
  const spec = { role: "viewer" as const };

  it("ten bad tokens from one client lock out neither a valid token from that client nor from another", async () => {
    const { deps, token } = await setup();
    // The attack of the report: forged X-Forwarded-For naming the victim's address.
    for (let i = 0; i < RATE_LIMITS.badToken.capacity; i++) expect(await outcome(() => authorize(bearer("minos_wrong", "203.0.113.66", { "x-forwarded-for": "127.0.0.1" }), spec, deps()))).toBe(401);
    expect(await outcome(() => authorize(bearer("minos_wrong", "203.0.113.66"), spec, deps()))).toBe(429);
    expect(await outcome(() => authorize(bearer(token, "127.0.0.1"), spec, deps()))).toBe("token:dash");
    expect(await outcome(() => authorize(bearer(token, "203.0.113.66"), spec, deps()))).toBe("token:dash");
  });

  it("rotating X-Forwarded-For does not reset a guesser's bucket", async () => {
    const { deps } = await setup();
    const results = await attempts(15, (i) => outcome(() => authorize(bearer("minos_wrong", "203.0.113.66", { "x-forwarded-for": `10.0.0.${i}` }), spec, deps())));
    expect(results).toEqual([...Array(10).fill(401), ...Array(5).fill(429)]);
  });

  it("rotating through one IPv6 /64 does not either", async () => {
    const { deps } = await setup();
    const results = await attempts(12, (i) => outcome(() => authorize(bearer("minos_wrong", `2001:db8:1:2::${(i + 1).toString(16)}`), spec, deps())));
    expect(results).toEqual([...Array(10).fill(401), 429, 429]);
    expect(await outcome(() => authorize(bearer("minos_wrong", "2001:db8:1:3::1"), spec, deps()))).toBe(401);
  });

  it("a global ceiling turns wrong tokens away from everyone once reached, still never a valid one", async () => {
    const { deps, token } = await setup();
    const results = await attempts(BAD_TOKEN_GLOBAL.capacity + 3, (i) => outcome(() => authorize(bearer("minos_wrong", `198.18.${i >> 8}.${i & 255}`), spec, deps())));
    expect(results.filter((r) => r === 401)).toHaveLength(BAD_TOKEN_GLOBAL.capacity);
    expect(results.slice(-3)).toEqual([429, 429, 429]);
    expect(await outcome(() => authorize(bearer(token, "192.0.2.1"), spec, deps()))).toBe("token:dash");
  });
});

describe("refused tokens in the audit log (finding 4)", () => {
  it("20 refused requests with an 8 KB path and a 4 KB X-Forwarded-For leave one small row", async () => {
    const { db, deps } = await setup();
    const path = `/api/${"a".repeat(8 * 1024)}`;
    for (let i = 0; i < 20; i++) {
      const req = viaServer(new Request(`${BASE}${path}`, { headers: { host: "127.0.0.1:3215", authorization: "Bearer minos_wrong", "x-forwarded-for": "9".repeat(4 * 1024) } }), "203.0.113.66");
      await outcome(() => authorize(req, spec(), deps()));
    }
    const rows = await listAudit(db, { limit: 100 });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: "auth.token", target: "client:203.0.113.66", result: "refused", details: { count: 10, limitedAt: t0.toISOString() } });
    const all = await db.selectFrom("audit_log").select(["target", "details", "actor", "action"]).execute();
    const bytes = all.reduce((n, r) => n + r.target.length + (r.details ?? "").length + r.actor.length + r.action.length, 0);
    expect(bytes).toBeLessThan(1024);
  });

  it("a new window starts a new row; clients get a row each", async () => {
    const { db, deps } = await setup();
    const later = new Date(t0.getTime() + AUTH_FAILURE_WINDOW_MS);
    await outcome(() => authorize(bearer("minos_wrong", "203.0.113.1"), spec(), deps()));
    await outcome(() => authorize(bearer("minos_wrong", "203.0.113.1"), spec(), deps()));
    await outcome(() => authorize(bearer("minos_wrong", "203.0.113.2"), spec(), deps()));
    await outcome(() => authorize(bearer("minos_wrong", "203.0.113.1"), spec(), deps(later)));
    const rows = (await listAudit(db, { limit: 10 })).map((r) => [r.target, (r.details as { count: number }).count]);
    expect(rows).toEqual([
      ["client:203.0.113.1", 1],
      ["client:203.0.113.2", 1],
      ["client:203.0.113.1", 2],
    ]);
  });
});

describe("rate-limit buckets an anonymous caller makes", () => {
  it("stay small whatever path it makes up, and a long path still gets its own bucket", async () => {
    const { db, deps } = await setup();
    const limited = { role: "viewer" as const, rateLimit: "manage" as const };
    const junk = (i: number) => viaServer(new Request(`${BASE}/api/users/${"a".repeat(8 * 1024)}${i}/passkeys/x`, { method: "DELETE", headers: { host: "127.0.0.1:3215", origin: BASE } }), "203.0.113.66");
    // The limit is taken before the caller is known: these are refused as anonymous, after taking.
    for (let i = 0; i < 5; i++) expect(await outcome(() => authorize(junk(i), limited, deps()))).toBe(401);
    const keys = (await db.selectFrom("rate_buckets").select("key").execute()).map((r) => r.key);
    expect(keys).toHaveLength(10); // the client's and the endpoint's bucket, per path
    expect(Math.max(...keys.map((k) => k.length))).toBeLessThan(200);
    for (let i = 0; i < RATE_LIMITS.manage.capacity - 1; i++) await outcome(() => authorize(junk(0), limited, deps()));
    expect(await outcome(() => authorize(junk(0), limited, deps()))).toBe(429);
    expect(await outcome(() => authorize(junk(1), limited, deps()))).toBe(401);
  });
});

function spec() {
  return { role: "viewer" as const };
}
