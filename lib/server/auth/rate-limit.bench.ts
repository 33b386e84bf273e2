/**
 * What a shared rate limit costs (`npm run bench rate-limit`): one take (a transaction of three
 * statements) on a table already at its cap of buckets, and one trim back to the cap (which a
 * limiter runs once per 100 new buckets, and the hourly sweep once). SQLite, or PostgreSQL when
 * MINOS_DATABASE_URL names one.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

import type { BenchRow } from "@/test/bench/types";
import { MAX_BUCKETS, RATE_LIMITS, RateLimiter, trimBuckets } from "@/lib/server/auth/rate-limit";
import { dialectOf, openDb } from "@/lib/server/platform/db/db";

const SUITE = "rate-limit";
const TAKES = 2_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export default async function bench(): Promise<BenchRow[]> {
  const db = openDb(process.env.MINOS_DATABASE_URL || path.join(mkdtempSync(path.join(tmpdir(), "minos-bench-rate-")), "minos.db"));
  const store = dialectOf(db);
  try {
    await db.deleteFrom("rate_buckets").execute();
    const t0 = Date.now();
    // A table at its cap, as after a flood of new addresses.
    for (let i = 0; i < MAX_BUCKETS; i += 500) {
      await db
        .insertInto("rate_buckets")
        .values(Array.from({ length: 500 }, (_, j) => ({ key: `signIn|198.18.${(i + j) >> 8}.${(i + j) & 255}|POST /x`, tokens: 3, at: t0 + i + j })))
        .execute();
    }
    // Never trims during the takes, so they measure a take alone.
    const limiter = new RateLimiter(db, { trimEvery: Number.MAX_SAFE_INTEGER });
    const rows: BenchRow[] = [];
    for (const [name, key] of [["take, one client's bucket", (i: number) => `signIn|203.0.113.${i % 200}|POST /x`], ["take, one hot (global) bucket", () => "signIn|*|POST /x"]] as const) {
      const times: number[] = [];
      for (let i = 0; i < TAKES; i++) {
        const t = performance.now();
        await limiter.take(key(i), RATE_LIMITS.signIn, t0 + MAX_BUCKETS + i);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      rows.push({ suite: SUITE, name: `${name}, p50`, value: percentile(times, 50) * 1000, unit: "µs", note: `${MAX_BUCKETS.toLocaleString("en-US")} buckets in the table, ${store}` });
      rows.push({ suite: SUITE, name: `${name}, p99`, value: percentile(times, 99) * 1000, unit: "µs" });
    }
    const t = performance.now();
    const dropped = await trimBuckets(db, MAX_BUCKETS);
    rows.push({ suite: SUITE, name: "trim to the cap", value: performance.now() - t, unit: "ms", note: `${dropped} buckets dropped, ${store}` });
    return rows;
  } finally {
    await db.destroy();
  }
}
