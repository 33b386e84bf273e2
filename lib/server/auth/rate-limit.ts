import "server-only";

import { stampedClientAddress } from "@/lib/net/client-address";
import { dialectOf, getDb, type Db } from "@/lib/server/platform/db/db";

/** A bucket's size and how fast it refills. */
export interface RateLimitPolicy {
  /** Requests allowed in a burst. */
  capacity: number;
  /** Tokens added back per second. */
  refillPerSecond: number;
}

/** Named policies routes refer to. */
export const RATE_LIMITS = {
  /** Sign-in ceremonies, one-time links: 10 at once, then one every 6 s per client. */
  signIn: { capacity: 10, refillPerSecond: 1 / 6 },
  /** Creating and revoking tokens, invitations and users. */
  manage: { capacity: 30, refillPerSecond: 1 / 2 },
  /** Wrong bearer tokens from one client before its wrong ones get 429 (valid tokens always pass). */
  badToken: { capacity: 10, refillPerSecond: 1 / 30 },
  /** Config templates, which hand out fresh key material (RSA-4096): 5 at once, then one every 12 s. */
  template: { capacity: 5, refillPerSecond: 1 / 12 },
  /**
   * Manifest render, validate and drift, open to viewers: each renders every node with the
   * cluster's secrets or reads every node. 60 at once (an editor validates after each pause in
   * typing), then one a second per client.
   */
  manifestCheck: { capacity: 60, refillPerSecond: 1 },
} satisfies Record<string, RateLimitPolicy>;
export type RateLimitName = keyof typeof RATE_LIMITS;

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * How long an untouched bucket of any named policy takes to refill from empty. A bucket left
 * alone that long is full, which is what an absent bucket means, so the sweep may drop it.
 * (The guard's global buckets scale capacity and refill by the same factor: the same time.)
 */
export const FULL_REFILL_MS = Math.max(...Object.values(RATE_LIMITS).map((p) => Math.ceil((p.capacity / p.refillPerSecond) * 1000)));

/** Buckets kept at most; beyond that the least recently used go, as a flood of new addresses would otherwise grow the table. */
export const MAX_BUCKETS = 10_000;
/** New buckets a limiter makes between two trims to the cap: a trim reads the `at` index down to the cap, so not on every insert. */
const TRIM_EVERY = 100;

/** The tokens a bucket holds at `nowMs`: its stored level refilled for the time since, never above the capacity. */
function level(b: { tokens: number; at: number }, policy: RateLimitPolicy, nowMs: number): number {
  // Replicas' clocks differ a little: time never runs backwards for a bucket.
  const elapsed = Math.max(0, nowMs - b.at);
  return Math.min(policy.capacity, b.tokens + (elapsed / 1000) * policy.refillPerSecond);
}

/**
 * Token buckets keyed by any string (client address + endpoint), kept in the `rate_buckets`
 * table so every replica of Minos draws from the same bucket. A take is one transaction (the row
 * is locked on PostgreSQL; SQLite's write transaction serialises), so two replicas cannot both
 * spend the last token. Only the clock is passed in, which keeps the arithmetic testable.
 */
export class RateLimiter {
  private created = 0;
  private readonly maxKeys: number;
  private readonly trimEvery: number;

  /**
   * The table holds at most `maxKeys` buckets plus the `trimEvery` each limiter (one per replica)
   * may make between its trims.
   */
  constructor(
    private readonly db: Db,
    opts: { maxKeys?: number; trimEvery?: number } = {},
  ) {
    this.maxKeys = opts.maxKeys ?? MAX_BUCKETS;
    this.trimEvery = opts.trimEvery ?? TRIM_EVERY;
  }

  /** Takes one token from `key`'s bucket, refilling it for the time passed since the last take. */
  async take(key: string, policy: RateLimitPolicy, nowMs: number): Promise<TakeResult> {
    const t = Math.floor(nowMs);
    const { result, inserted } = await this.db.transaction().execute(async (trx) => {
      // A new bucket starts full. Inserting it first (or finding it there) gives the next read a
      // row to lock, so two replicas meeting a new key at once cannot both start from full.
      const insert = await trx
        .insertInto("rate_buckets")
        .values({ key, tokens: policy.capacity, at: t })
        .onConflict((oc) => oc.column("key").doNothing())
        .executeTakeFirst();
      // Absent only if a trim on another replica dropped it in between: then it is full again.
      const b =
        (await trx
          .selectFrom("rate_buckets")
          .select(["tokens", "at"])
          .where("key", "=", key)
          .$if(dialectOf(trx) === "postgres", (q) => q.forUpdate())
          .executeTakeFirst()) ?? { tokens: policy.capacity, at: t };
      const tokens = level(b, policy, t);
      const ok = tokens >= 1;
      const next = { tokens: ok ? tokens - 1 : tokens, at: Math.max(b.at, t) };
      await trx
        .insertInto("rate_buckets")
        .values({ key, ...next })
        .onConflict((oc) => oc.column("key").doUpdateSet(next))
        .execute();
      const result: TakeResult = ok ? { ok: true } : { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / policy.refillPerSecond)) };
      return { result, inserted: Number(insert.numInsertedOrUpdatedRows ?? 0) > 0 };
    });
    if (inserted && ++this.created % this.trimEvery === 0) {
      // The take stands whatever the trim does; the sweep trims again within the hour.
      await trimBuckets(this.db, this.maxKeys).catch((e: unknown) => console.error("[minos] trimming rate-limit buckets failed", e));
    }
    return result;
  }

  /** Whether `key` still has a token, without taking one. */
  async peek(key: string, policy: RateLimitPolicy, nowMs: number): Promise<boolean> {
    const b = await this.db.selectFrom("rate_buckets").select(["tokens", "at"]).where("key", "=", key).executeTakeFirst();
    return !b || level(b, policy, nowMs) >= 1;
  }

  /** Forgets every bucket (tests). */
  async reset(): Promise<void> {
    await this.db.deleteFrom("rate_buckets").execute();
  }
}

/**
 * Keeps the `maxKeys` most recently used buckets and drops the rest (ties broken by key, so the
 * count is exact). Reads the `at` index down to `maxKeys` once; callers amortise it.
 */
export async function trimBuckets(db: Db, maxKeys = MAX_BUCKETS): Promise<number> {
  const edge = await db.selectFrom("rate_buckets").select(["at", "key"]).orderBy("at", "desc").orderBy("key", "desc").offset(maxKeys).limit(1).executeTakeFirst();
  if (!edge) return 0;
  const r = await db
    .deleteFrom("rate_buckets")
    .where((eb) => eb.or([eb("at", "<", edge.at), eb.and([eb("at", "=", edge.at), eb("key", "<=", edge.key)])]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * The housekeeping sweep: buckets untouched for longer than any policy needs to refill (they are
 * full, as good as absent), then the cap.
 */
export async function pruneBuckets(db: Db, now: Date, maxKeys = MAX_BUCKETS): Promise<number> {
  const r = await db.deleteFrom("rate_buckets").where("at", "<", now.getTime() - FULL_REFILL_MS).executeTakeFirst();
  return Number(r.numDeletedRows) + (await trimBuckets(db, maxKeys));
}

const limiters = new WeakMap<Db, RateLimiter>();

/** The limiter on a store (the process's by default); every replica on that store shares its buckets. */
export function rateLimiter(db: Db = getDb()): RateLimiter {
  let l = limiters.get(db);
  if (!l) limiters.set(db, (l = new RateLimiter(db)));
  return l;
}

/**
 * The client's address, as Minos's server (`scripts/serve.ts`) computed it from the socket and,
 * behind a proxy in MINOS_TRUSTED_PROXIES, X-Forwarded-For. Never the caller's own headers:
 * without that server (a bare `next start`) every caller is "unknown" and shares one bucket.
 */
export function clientIp(headers: Headers): string {
  return stampedClientAddress(headers) ?? "unknown";
}
