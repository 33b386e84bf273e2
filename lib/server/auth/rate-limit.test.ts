import { describe, expect, it } from "vitest";

import { FULL_REFILL_MS, pruneBuckets, RATE_LIMITS, RateLimiter, trimBuckets } from "@/lib/server/auth/rate-limit";
import type { Db } from "@/lib/server/platform/db/db";
import { testDb } from "@/test/db";

const count = async (db: Db) => Number((await db.selectFrom("rate_buckets").select((eb) => eb.fn.countAll<number | string>().as("n")).executeTakeFirstOrThrow()).n);
const keys = async (db: Db) => (await db.selectFrom("rate_buckets").select("key").orderBy("key").execute()).map((r) => r.key);

describe("RateLimiter", () => {
  const policy = { capacity: 3, refillPerSecond: 1 / 10 };

  it("allows a burst, refuses the next with a retry time, and refills over time", async () => {
    const l = new RateLimiter(await testDb());
    for (let i = 0; i < 3; i++) expect((await l.take("ip|/x", policy, 0)).ok).toBe(true);
    expect(await l.take("ip|/x", policy, 0)).toEqual({ ok: false, retryAfterSeconds: 10 });
    expect((await l.take("ip|/x", policy, 9_000)).ok).toBe(false);
    expect((await l.take("ip|/x", policy, 10_001)).ok).toBe(true);
  });

  it("keeps buckets apart per key", async () => {
    const l = new RateLimiter(await testDb());
    for (let i = 0; i < 3; i++) await l.take("a", policy, 0);
    expect((await l.take("a", policy, 0)).ok).toBe(false);
    expect((await l.take("b", policy, 0)).ok).toBe(true);
  });

  it("peeks without taking", async () => {
    const l = new RateLimiter(await testDb());
    for (let i = 0; i < 3; i++) {
      expect(await l.peek("a", policy, 0)).toBe(true);
      await l.take("a", policy, 0);
    }
    expect(await l.peek("a", policy, 0)).toBe(false);
  });

  it("never lets a clock that is behind (another replica's) drain a bucket", async () => {
    const l = new RateLimiter(await testDb());
    for (let i = 0; i < 2; i++) await l.take("a", policy, 60_000);
    // One token left at 60 s; a take stamped 50 s must neither refill nor go below zero for the 10 s "lost".
    expect((await l.take("a", policy, 50_000)).ok).toBe(true);
    expect(await l.take("a", policy, 60_000)).toEqual({ ok: false, retryAfterSeconds: 10 });
  });

  it("keeps the table bounded when a flood of new addresses each make a bucket", async () => {
    const db = await testDb();
    const l = new RateLimiter(db, { maxKeys: 50, trimEvery: 20 });
    for (let i = 0; i < 300; i++) await l.take(`signIn|198.18.${i >> 8}.${i & 255}|POST /x`, policy, i);
    // Trimmed to 50 at every 20th new bucket: never more than 50 + 20, the newest kept.
    expect(await count(db)).toBeLessThanOrEqual(70);
    expect(await keys(db)).toContain("signIn|198.18.1.43|POST /x"); // i = 299
    expect(await keys(db)).not.toContain("signIn|198.18.0.0|POST /x");
  });
});

describe("bucket housekeeping", () => {
  const policy = RATE_LIMITS.badToken;

  it("drops the least recently used buckets beyond the cap, exactly, ties broken by key", async () => {
    const db = await testDb();
    const l = new RateLimiter(db);
    for (const [k, t] of [["a", 0], ["b", 5], ["c", 5], ["d", 9]] as const) await l.take(k, policy, t);
    expect(await trimBuckets(db, 2)).toBe(2);
    expect(await keys(db)).toEqual(["c", "d"]);
    expect(await trimBuckets(db, 2)).toBe(0);
  });

  it("prunes buckets that have refilled (as good as absent) and keeps the rest", async () => {
    const db = await testDb();
    const l = new RateLimiter(db);
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < policy.capacity; i++) await l.take("old", policy, t0);
    await l.take("recent", policy, t0 + FULL_REFILL_MS);
    expect(await pruneBuckets(db, new Date(t0 + FULL_REFILL_MS + 1))).toBe(1);
    expect(await keys(db)).toEqual(["recent"]);
    // Pruning changed nothing a client can see: "old" had refilled to its full burst.
    for (let i = 0; i < policy.capacity; i++) expect((await l.take("old", policy, t0 + FULL_REFILL_MS + 1)).ok).toBe(true);
    expect(FULL_REFILL_MS).toBe(300_000); // the slowest policy (bad tokens) refills 10 in 300 s
  });
});

describe("requireRole and mayRevealSecrets", async () => {
  const { requireRole, mayRevealSecrets } = await import("@/lib/server/auth/guard");
  const op = { kind: "user" as const, id: "u", name: "otto", role: "operator" as const, label: "user:otto" };
  it("let per-action checks refuse with the same message as the wrapper", () => {
    expect(requireRole(op, "operator")).toBe(op);
    expect(() => requireRole(op, "admin")).toThrow("This needs the Admin role; user:otto is Operator");
    expect(() => requireRole(null, "viewer")).toThrow(/Sign in first/);
  });
  it("reveal secrets to admins who ask, only", () => {
    expect(mayRevealSecrets(op, true)).toBe(false);
    expect(mayRevealSecrets({ ...op, role: "admin" }, true)).toBe(true);
    expect(mayRevealSecrets({ ...op, role: "admin" }, false)).toBe(false);
  });
});
