import "server-only";

import { sql } from "kysely";

import { dialectOf, type Db } from "@/lib/server/platform/db/db";
import { realClock, type Clock } from "@/lib/utils/clock";

/**
 * Leases: who does a piece of background work now (a cluster's poller, a rollout, an upgrade).
 * A lease is a row with an owner, an expiry and a fencing number. The owner renews it well before
 * it expires; once it has expired any replica may take it, and taking it from another owner
 * bumps the fencing number. Every state change a lease holder makes checks, in the same
 * transaction, that the row still carries its owner and number (`assertLease`), so an owner that
 * was paused or cut off past its expiry can never act after another replica took over.
 *
 * Times are milliseconds on the callers' clocks; replicas of one deployment are assumed to agree
 * within a second or two, which the TTLs leave room for.
 */
export interface Lease {
  name: string;
  owner: string;
  fence: number;
  expiresAt: number;
}

/** Thrown by a fenced write whose lease another replica took (or that was released). */
export class LeaseLostError extends Error {
  constructor(readonly lease: Pick<Lease, "name" | "owner" | "fence">) {
    super(`Lease ${lease.name} is no longer held by ${lease.owner} (fence ${lease.fence})`);
    this.name = "LeaseLostError";
  }
}

/**
 * A lease lives this long unless renewed; renewal every third of it leaves two chances to miss.
 * Short enough that a dead replica's work is taken over well within 15 s (expiry plus one scan
 * of LeaseSet or a runner), and that a node polled every 5 s misses no more than 15 s of polls.
 */
export const LEASE_TTL_MS = 6_000;
export const LEASE_RENEW_MS = 2_000;

/**
 * Takes `name` for `owner` if nobody holds it, it has expired, or `owner` already holds it (then
 * it is renewed). Returns the lease held, or null when another owner's lease is still live.
 */
export async function acquireLease(db: Db, name: string, owner: string, nowMs: number, ttlMs = LEASE_TTL_MS): Promise<Lease | null> {
  const expiresAt = nowMs + ttlMs;
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("leases")
      .selectAll()
      .where("name", "=", name)
      .$if(dialectOf(trx) === "postgres", (q) => q.forUpdate())
      .executeTakeFirst();
    if (!row) {
      // Two replicas inserting at once on PostgreSQL: the loser's insert does nothing and it reads the winner's row.
      const inserted = await trx
        .insertInto("leases")
        .values({ name, owner, expires_at: expiresAt, fence: 1 })
        .onConflict((oc) => oc.column("name").doNothing())
        .returningAll()
        .executeTakeFirst();
      return inserted ? toLease(inserted) : null;
    }
    if (row.owner !== owner && row.expires_at > nowMs) return null;
    const fence = row.owner === owner ? row.fence : row.fence + 1;
    await trx.updateTable("leases").set({ owner, expires_at: expiresAt, fence }).where("name", "=", name).execute();
    return { name, owner, fence, expiresAt };
  });
}

/** Extends a held lease. Null when it was lost: another owner has it, or it was released. */
export async function renewLease(db: Db, lease: Lease, nowMs: number, ttlMs = LEASE_TTL_MS): Promise<Lease | null> {
  const expiresAt = nowMs + ttlMs;
  const r = await db
    .updateTable("leases")
    .set({ expires_at: expiresAt })
    .where("name", "=", lease.name)
    .where("owner", "=", lease.owner)
    .where("fence", "=", lease.fence)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1 ? { ...lease, expiresAt } : null;
}

/** Gives a lease up at once (work finished, or a replica stopping), so another may take it without waiting. */
export async function releaseLease(db: Db, lease: Pick<Lease, "name" | "owner" | "fence">): Promise<void> {
  await db.updateTable("leases").set({ expires_at: 0 }).where("name", "=", lease.name).where("owner", "=", lease.owner).where("fence", "=", lease.fence).execute();
}

/**
 * Inside a transaction, before a lease holder's write: throws LeaseLostError unless the row still
 * names this owner and fencing number. On PostgreSQL the row is share-locked until the
 * transaction ends, so a takeover waits for this write to commit (and then sees it) rather than
 * racing it; SQLite's IMMEDIATE transactions are serial already.
 */
export async function assertLease(trx: Db, lease: Pick<Lease, "name" | "owner" | "fence">): Promise<void> {
  const row = await trx
    .selectFrom("leases")
    .select("fence")
    .where("name", "=", lease.name)
    .where("owner", "=", lease.owner)
    .$if(dialectOf(trx) === "postgres", (q) => q.forShare())
    .executeTakeFirst();
  if (!row || row.fence !== lease.fence) throw new LeaseLostError(lease);
}

/** Runs `write` in one transaction, only while `lease` is still held. */
export async function fenced<T>(db: Db, lease: Pick<Lease, "name" | "owner" | "fence">, write: (trx: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await assertLease(trx, lease);
    return write(trx);
  });
}

/** Live leases, optionally of one owner or with a name prefix (for /api/health and spreading work). */
export async function listLeases(db: Db, nowMs: number, filter: { owner?: string; prefix?: string } = {}): Promise<Lease[]> {
  let q = db.selectFrom("leases").selectAll().where("expires_at", ">", nowMs);
  if (filter.owner) q = q.where("owner", "=", filter.owner);
  // substr, not LIKE or a range: both stores compare it the same way whatever the collation.
  if (filter.prefix) q = q.where(sql<string>`substr(name, 1, ${filter.prefix.length})`, "=", filter.prefix);
  return (await q.orderBy("name").execute()).map(toLease);
}

function toLease(r: { name: string; owner: string; fence: number; expires_at: number }): Lease {
  return { name: r.name, owner: r.owner, fence: r.fence, expiresAt: r.expires_at };
}

/** A lease being held: renewed in the background until released or lost. */
export interface HeldLease {
  readonly lease: Lease;
  /** True once a renewal found the lease gone, or could not renew before it expired. */
  readonly lost: boolean;
  /** `write` in one transaction, only while the lease is still held (LeaseLostError otherwise). */
  fenced<T>(write: (trx: Db) => Promise<T>): Promise<T>;
  release(): Promise<void>;
}

/**
 * Takes `name` and keeps it: a renewal every `renewMs` on `clock`. `onLost` runs once when the
 * lease is gone: another replica took it, or renewals failed (database unreachable) until it
 * expired, after which this replica can no longer be sure it holds it. Null if another replica
 * holds it now.
 */
export async function holdLease(
  db: Db,
  name: string,
  owner: string,
  opts: { clock?: Clock; ttlMs?: number; renewMs?: number; onLost?: (lease: Lease) => void } = {},
): Promise<HeldLease | null> {
  const clock = opts.clock ?? realClock;
  const ttlMs = opts.ttlMs ?? LEASE_TTL_MS;
  const renewMs = opts.renewMs ?? LEASE_RENEW_MS;
  let current = await acquireLease(db, name, owner, clock.now(), ttlMs);
  if (!current) return null;
  let lost = false;
  let released = false;
  let timer: unknown;
  // Fires at the expiry unless a renewal moved it: a renewal that hangs (the database's network
  // black-holed) must not leave this replica believing it still holds the lease.
  let deadline: unknown;
  const armDeadline = () => {
    clock.clearTimeout(deadline);
    deadline = clock.setTimeout(() => lose(), Math.max(0, current!.expiresAt - clock.now()));
  };
  const lose = () => {
    if (lost || released) return;
    lost = true;
    clock.clearTimeout(timer);
    clock.clearTimeout(deadline);
    opts.onLost?.(current!);
  };
  const tick = async () => {
    if (lost || released) return;
    try {
      const renewed = await renewLease(db, current!, clock.now(), ttlMs);
      if (released || lost) return;
      if (!renewed) return lose();
      current = renewed;
      armDeadline();
    } catch (e) {
      console.warn(`[minos] could not renew lease ${name}: ${(e as Error).message}`);
      if (clock.now() >= current!.expiresAt) return lose();
    }
    timer = clock.setTimeout(() => void tick(), renewMs);
  };
  armDeadline();
  timer = clock.setTimeout(() => void tick(), renewMs);
  return {
    get lease() {
      return current!;
    },
    get lost() {
      return lost;
    },
    fenced: (write) => fenced(db, current!, write),
    async release() {
      if (released) return;
      released = true;
      clock.clearTimeout(timer);
      clock.clearTimeout(deadline);
      if (!lost) await releaseLease(db, current!).catch(() => undefined);
    },
  };
}

/**
 * Drops leases that expired more than a day ago (finished rollouts and upgrades, removed
 * clusters). A later lease of the same name starts a new row: its owner differs from any stalled
 * holder of the old one, so the fence check still refuses that holder.
 */
export async function pruneLeases(db: Db, nowMs: number): Promise<number> {
  const r = await db.deleteFrom("leases").where("expires_at", "<", nowMs - 86_400_000).executeTakeFirst();
  return Number(r.numDeletedRows);
}
