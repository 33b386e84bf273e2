import "server-only";

import { sql } from "kysely";

import type { Db } from "@/lib/server/platform/db/db";
import { holdLease, LEASE_RENEW_MS, LEASE_TTL_MS, type HeldLease } from "@/lib/server/platform/leases";
import { heartbeat, liveReplicas, retire } from "@/lib/server/platform/replica";
import { realClock, type Clock } from "@/lib/utils/clock";

export interface LeaseSetOptions {
  /** Lease names are `<prefix><item>`, e.g. "poller:" + cluster name. */
  prefix: string;
  /** This replica (the lease owner). */
  owner: string;
  /** The items to share out now (cluster names); read on every scan. */
  items: () => Promise<readonly string[]> | readonly string[];
  /** This replica now runs `item`. */
  onAcquired: (item: string) => void | Promise<void>;
  /** This replica no longer runs `item` (handed over, lost, or the item is gone): stop at once. */
  onReleased: (item: string) => void | Promise<void>;
  clock?: Clock;
  /** How often to look for work to take or give back. Default 1.5 s. */
  scanMs?: number;
  ttlMs?: number;
  renewMs?: number;
  random?: () => number;
}

/**
 * Shares a set of per-item jobs (each cluster's poller, drift checker, backup schedule) out among
 * the live replicas, one owner per item through a lease each. On every scan a replica writes its
 * heartbeat, counts the live replicas, and aims at its fair share (items ÷ replicas, rounded up):
 * it takes free items (never-owned, released or expired) until it has its share, and gives one
 * back per scan when it has more (a replica joined), so work spreads without thrashing. An item
 * whose lease expired unreleased (its owner died or stalled), or that stayed free for two scans,
 * is taken even past the share, so nothing stays unowned while replicas come and go: a dead
 * replica's items are run elsewhere at the first scan after its leases expire (LEASE_TTL_MS).
 */
export class LeaseSet {
  private readonly held = new Map<string, HeldLease>();
  private readonly clock: Clock;
  private timer: unknown = null;
  private stopped = true;
  private scanning: Promise<void> = Promise.resolve();
  /** Items seen free at the previous scan. */
  private freeBefore = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly o: LeaseSetOptions,
  ) {
    this.clock = o.clock ?? realClock;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Items this replica runs now. */
  owned(): string[] {
    return [...this.held.keys()].sort();
  }

  /** The lease held for `item`, for writes fenced by it. */
  lease(item: string): HeldLease | undefined {
    return this.held.get(item);
  }

  /** Runs a scan now (before start: the first share, taken before the replica answers) and resolves when it is done. */
  scanNow(): Promise<void> {
    const run = this.scanning.then(() => this.scan());
    this.scanning = run.catch((e: unknown) => console.error(`[minos] sharing ${this.o.prefix}* leases failed:`, (e as Error).message));
    return this.scanning;
  }

  /**
   * Stops scanning and gives every lease back; the replica leaves the live list, so the others
   * count it out of the share at their next scan and take its items then.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    await this.scanning;
    for (const item of [...this.held.keys()]) await this.drop(item, true);
    await retire(this.db, this.o.owner).catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      void this.scanNow().then(() => this.schedule(this.o.scanMs ?? 1_500));
    }, ms);
  }

  private async scan(): Promise<void> {
    const { db, o } = this;
    // Lost leases first, before any database call: with the database unreachable the rest of the
    // scan fails, and the work of a lost lease must stop all the same (another replica has it).
    for (const [item, h] of [...this.held]) if (h.lost) await this.drop(item, false);
    const now = this.clock.now();
    await heartbeat(db, o.owner, now);
    const items = [...new Set(await o.items())];
    const wanted = new Set(items);
    for (const item of [...this.held.keys()]) if (!wanted.has(item)) await this.drop(item, true);
    const replicas = Math.max(1, (await liveReplicas(db, now)).length);
    const share = Math.ceil(items.length / replicas);
    const rows = await db
      .selectFrom("leases")
      .select(["name", "expires_at"])
      .where(sql<string>`substr(name, 1, ${o.prefix.length})`, "=", o.prefix)
      .execute();
    const taken = new Set(rows.filter((r) => r.expires_at > now).map((r) => r.name.slice(o.prefix.length)));
    // Expired without being released: its owner died or stalled. Taken at once, whatever the share.
    const abandoned = new Set(rows.filter((r) => r.expires_at > 0 && r.expires_at <= now).map((r) => r.name.slice(o.prefix.length)));
    const free = items.filter((i) => !taken.has(i) && !this.held.has(i));
    // Replicas scanning at the same moment should not all reach for the same item first.
    const random = o.random ?? Math.random;
    const order = free.map((i) => [random(), i] as const).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
    for (const item of order) {
      if (this.stopped) return;
      const orphaned = this.freeBefore.has(item) || abandoned.has(item);
      if (this.held.size >= share && !orphaned) continue;
      const held = await holdLease(db, `${o.prefix}${item}`, o.owner, {
        clock: this.clock,
        ttlMs: o.ttlMs ?? LEASE_TTL_MS,
        renewMs: o.renewMs ?? LEASE_RENEW_MS,
        onLost: () => void this.scanNow(),
      });
      if (!held) continue;
      this.held.set(item, held);
      await o.onAcquired(item);
    }
    this.freeBefore = new Set(free.filter((i) => !this.held.has(i)));
    // One item back per scan when over the share: the newest replica fills up gradually.
    if (this.held.size > share && this.freeBefore.size === 0) {
      const item = [...this.held.keys()].sort().at(-1)!;
      await this.drop(item, true);
    }
  }

  private async drop(item: string, release: boolean): Promise<void> {
    const h = this.held.get(item);
    if (!h) return;
    this.held.delete(item);
    try {
      await this.o.onReleased(item);
    } finally {
      if (release) await h.release();
    }
  }
}
