/**
 * Issue 14, "stateless requests": two replicas of Minos (two independent stores on one database,
 * see test/auth/replicas.ts) behind one load balancer. Whatever decides who a request is and
 * whether it may go on (sessions, CSRF tokens, API tokens, one-time links, sign-in ceremonies,
 * rate-limit buckets) must be seen the same by both: a request may reach either.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { CSRF_HEADER } from "@/lib/auth/csrf";
import { parseEnv } from "@/lib/schemas/env";
import { buildAuthConfig } from "@/lib/server/auth/config";
import { saveChallenge, takeChallenge } from "@/lib/server/auth/challenges";
import { authorize, RateLimitedError, type AuthDeps } from "@/lib/server/auth/guard";
import { BOOTSTRAP_FILE, createInvitation, ensureBootstrapLink } from "@/lib/server/auth/links";
import { RATE_LIMITS, RateLimiter } from "@/lib/server/auth/rate-limit";
import { issueToken, redeemLink, removeUser, signOut, withdrawToken } from "@/lib/server/auth/service";
import { createUser } from "@/lib/server/auth/users";
import type { Db } from "@/lib/server/platform/db/db";
import { viaServer } from "@/test/auth/client";
import { twoReplicas } from "@/test/auth/replicas";
import { testStore } from "@/test/db";

const BASE = "http://127.0.0.1:3215";
const t0 = new Date("2026-03-01T10:00:00Z");

async function setup() {
  const [a, b] = await twoReplicas();
  const stateDir = mkdtempSync(path.join(tmpdir(), "minos-replicas-state-"));
  const config = buildAuthConfig(parseEnv({ PORT: "3215", MINOS_STATE_DIR: stateDir }));
  // Each replica has its own limiter object, as each process would: only the database is shared.
  const deps = (db: Db, now = t0): AuthDeps => ({ db, config, limiter: new RateLimiter(db), now });
  return { a, b, config, stateDir, deps };
}

/** What the guard says: the caller's label, "anonymous", or the status it refuses with. */
async function verdict(p: Promise<{ label: string } | null>): Promise<string | number> {
  try {
    return (await p)?.label ?? "anonymous";
  } catch (e) {
    if (e instanceof RateLimitedError) return 429;
    const code = (e as { code?: string }).code;
    return code === "unauthorized" ? 401 : code === "forbidden" ? 403 : String(e);
  }
}

/** A browser's mutating request with its session cookie and CSRF token. */
function browserPost(pathname: string, cookies: string[], csrf: string): Request {
  const cookie = cookies.map((c) => c.split(";")[0]).join("; ");
  return new Request(`${BASE}${pathname}`, { method: "POST", headers: { host: "127.0.0.1:3215", origin: BASE, cookie, [CSRF_HEADER]: csrf } });
}

const csrfOf = (cookies: string[]) => cookies.find((c) => c.startsWith("minos_csrf="))!.split(";")[0]!.slice("minos_csrf=".length);

describe("two replicas on one database", () => {
  it("a session started on one replica acts on the other, CSRF token included, and a sign-out on either ends it on both", async () => {
    const { a, b, config, deps } = await setup();
    await createUser(a, { name: "ada", role: "admin", source: "passkey", createdBy: "system" }, t0);
    const { token } = await createInvitation(a, { role: "operator", expiresInHours: 1, createdBy: "user:ada" }, t0);
    const signIn = new Request(`${BASE}/api/auth/invitations/accept`, { method: "POST", headers: { host: "127.0.0.1:3215" } });
    const { cookies } = await redeemLink(signIn, "invitation", { token, name: "otto" }, { db: a, config, now: t0 });
    const csrf = csrfOf(cookies);

    const onB = await authorize(browserPost("/api/rollouts", cookies, csrf), { role: "operator" }, deps(b));
    expect(onB).toMatchObject({ label: "user:otto", role: "operator" });
    // The CSRF token is checked against the session row, wherever it was made.
    expect(await verdict(authorize(browserPost("/api/rollouts", cookies, "x".repeat(43)), { role: "operator" }, deps(b)))).toBe(403);

    await signOut(signIn, onB, { db: b, config, now: t0 });
    expect(await verdict(authorize(browserPost("/api/rollouts", cookies, csrf), { role: "operator" }, deps(a)))).toBe(401);
    expect(await verdict(authorize(browserPost("/api/rollouts", cookies, csrf), { role: "operator" }, deps(b)))).toBe(401);
  });

  it("an API token made on one replica works on the other, and a revocation on either holds on both at once", async () => {
    const { a, b, config, deps } = await setup();
    const ada = await createUser(a, { name: "ada", role: "admin", source: "passkey", createdBy: "system" }, t0);
    const bob = await createUser(a, { name: "bob", role: "operator", source: "passkey", createdBy: "system" }, t0);
    const asAda = { kind: "user" as const, id: ada.id, name: "ada", role: "admin" as const, label: "user:ada" };
    const asBob = { kind: "user" as const, id: bob.id, name: "bob", role: "operator" as const, label: "user:bob" };
    const ci = await issueToken(asAda, { name: "ci", role: "admin", expiresInDays: 1 }, { db: a, config, now: t0 });
    const bot = await issueToken(asBob, { name: "bot", role: "operator", expiresInDays: 1 }, { db: a, config, now: t0 });
    const bearer = (secret: string) => new Request(`${BASE}/api/nodes`, { headers: { host: "127.0.0.1:3215", authorization: `Bearer ${secret}` } });

    expect(await verdict(authorize(bearer(ci.token), { role: "viewer" }, deps(b)))).toBe("token:ci");
    await withdrawToken(asAda, ci.apiToken.id, { db: b, config, now: t0 });
    expect(await verdict(authorize(bearer(ci.token), { role: "viewer" }, deps(a)))).toBe(401);

    expect(await verdict(authorize(bearer(bot.token), { role: "viewer" }, deps(a)))).toBe("token:bot");
    await removeUser(asAda, bob.id, { db: b, config, now: t0 });
    expect(await verdict(authorize(bearer(bot.token), { role: "viewer" }, deps(a)))).toBe(401);
  });

  it("a sign-in rate limit spent through one replica is refused through the other, with the same Retry-After", async () => {
    const { a, b, deps } = await setup();
    const spec = { role: "public" as const, rateLimit: "signIn" as const };
    const options = () => viaServer(new Request(`${BASE}/api/auth/passkeys/authenticate/options`, { method: "POST", headers: { host: "127.0.0.1:3215", origin: BASE } }), "203.0.113.66");
    // Half the burst on each replica, as a load balancer would spread it.
    for (let i = 0; i < RATE_LIMITS.signIn.capacity; i++) expect(await verdict(authorize(options(), spec, deps(i % 2 ? b : a)))).toBe("anonymous");
    for (const db of [a, b]) {
      const refused = await authorize(options(), spec, deps(db)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(RateLimitedError);
      expect((refused as RateLimitedError).retryAfterSeconds).toBe(6);
    }
    // Another client is unaffected on either replica.
    const other = viaServer(new Request(`${BASE}/api/auth/passkeys/authenticate/options`, { method: "POST", headers: { host: "127.0.0.1:3215", origin: BASE } }), "198.51.100.7");
    expect(await verdict(authorize(other, spec, deps(b)))).toBe("anonymous");
  });

  it("wrong bearer tokens are counted across replicas too", async () => {
    const { a, b, deps } = await setup();
    const wrong = () => viaServer(new Request(`${BASE}/api/nodes`, { headers: { host: "127.0.0.1:3215", authorization: "Bearer minos_wrong" } }), "203.0.113.9");
    const results: (string | number)[] = [];
    for (let i = 0; i < RATE_LIMITS.badToken.capacity + 2; i++) results.push(await verdict(authorize(wrong(), { role: "viewer" }, deps(i % 2 ? b : a))));
    expect(results).toEqual([...Array<number>(RATE_LIMITS.badToken.capacity).fill(401), 429, 429]);
  });

  it("a sign-in ceremony started on one replica finishes on the other, once", async () => {
    const { a, b } = await setup();
    const handle = await saveChallenge(a, "oidc", { state: "s", nonce: "n", verifier: "v" }, null, t0);
    expect(await takeChallenge(b, handle, "oidc", null, t0)).toEqual({ state: "s", nonce: "n", verifier: "v" });
    expect(await takeChallenge(a, handle, "oidc", null, t0)).toBeNull();
  });

  it("the first-start link made by one replica is the one the other reports, not a second that revokes it", async () => {
    const { a, b, config, stateDir } = await setup();
    const made = await ensureBootstrapLink(a, { origin: config.origin, stateDir }, t0);
    const other = mkdtempSync(path.join(tmpdir(), "minos-replicas-state-b-"));
    const seen = await ensureBootstrapLink(b, { origin: config.origin, stateDir: other }, new Date(t0.getTime() + 60_000));
    expect(made).toMatchObject({ created: true });
    // Replica B has no copy of the secret (only A's state directory does), yet the link is live.
    expect(seen).toMatchObject({ created: false, url: "", expiresAt: made!.expiresAt });
    expect(readFileSync(path.join(stateDir, BOOTSTRAP_FILE), "utf8").trim()).toBe(made!.url);
    expect(await b.selectFrom("sign_in_links").select("revoked_at").where("kind", "=", "bootstrap").execute()).toEqual([{ revoked_at: null }]);
  });

  // Truly concurrent transactions from one process: two SQLite handles in one event loop would
  // wait on each other's lock synchronously (the busy timeout blocks the loop), so these run on
  // PostgreSQL, where each replica has its own connections, as separate processes would.
  describe.runIf(testStore() === "postgres")("racing at the same instant (PostgreSQL)", () => {
    it("takes from one bucket on two replicas never spend more tokens than it holds", async () => {
      const { a, b } = await setup();
      const [la, lb] = [new RateLimiter(a), new RateLimiter(b)];
      const policy = { capacity: 10, refillPerSecond: 1 / 60 };
      const takes = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? lb : la).take("signIn|203.0.113.1|POST /x", policy, t0.getTime())));
      expect(takes.filter((r) => r.ok)).toHaveLength(10);
    });

    it("of two replicas taking one ceremony, exactly one gets it", async () => {
      const { a, b } = await setup();
      for (let round = 0; round < 10; round++) {
        const handle = await saveChallenge(a, "passkey-authenticate", { challenge: round }, null, t0);
        const got = await Promise.all([takeChallenge(a, handle, "passkey-authenticate", null, t0), takeChallenge(b, handle, "passkey-authenticate", null, t0)]);
        expect(got.filter((x) => x !== null)).toEqual([{ challenge: round }]);
      }
    });

    it("two replicas starting together mint one first-start link", async () => {
      const { a, b, config } = await setup();
      const dirs = [mkdtempSync(path.join(tmpdir(), "minos-a-")), mkdtempSync(path.join(tmpdir(), "minos-b-"))];
      const links = await Promise.all([a, b].map((db, i) => ensureBootstrapLink(db, { origin: config.origin, stateDir: dirs[i]! }, t0)));
      expect(links.filter((l) => l?.created)).toHaveLength(1);
      expect(await a.selectFrom("sign_in_links").select("revoked_at").where("kind", "=", "bootstrap").execute()).toEqual([{ revoked_at: null }]);
    });

    it("of two replicas redeeming one invitation, exactly one signs in", async () => {
      const { a, b, config } = await setup();
      const { token } = await createInvitation(a, { role: "viewer", expiresInHours: 1, createdBy: "user:ada" }, t0);
      const req = () => new Request(`${BASE}/api/auth/invitations/accept`, { method: "POST", headers: { host: "127.0.0.1:3215" } });
      const results = await Promise.allSettled([a, b].map((db, i) => redeemLink(req(), "invitation", { token, name: `vic${i}` }, { db, config, now: t0 })));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(await a.selectFrom("users").select("name").execute()).toHaveLength(1);
    });
  });
});
