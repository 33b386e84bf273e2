import "server-only";

import type { Db } from "@/lib/server/platform/db/db";
import { holdLease, type HeldLease, LEASE_RENEW_MS, LeaseLostError } from "@/lib/server/platform/leases";
import type { JobLoops } from "@/lib/server/jobs";
import type { Clock } from "@/lib/utils/clock";

import type { UpgradeTalos } from "./probes";

/** The lease a plan is driven under: one replica at a time. */
export const upgradeLeaseName = (planId: string) => `upgrade:${planId}`;

/** A plan this runner drives: the lease it holds, and the signal that stops its loop and its nodes. */
export interface Drive {
  held: HeldLease;
  abort: AbortController;
  /** Aborts when the runner stops or the lease is lost: no further write, no further Talos call. */
  signal: AbortSignal;
  /** Set once the lease is known to be another's (or expired): then there is nothing to release either. */
  lost: boolean;
}

export const isLeaseLost = (e: unknown): boolean => e instanceof LeaseLostError || (e instanceof Error && e.name === "LeaseLostError");

/** A read that fails is "unknown" when resuming a node, unless it failed because the lease is gone. */
export function rethrowLeaseLost(e: unknown): null {
  if (isLeaseLost(e)) throw e;
  return null;
}

export interface PlanDrivesOptions {
  db: Db;
  clock: Clock;
  /** The lease owner written: this replica unless a test names two. */
  owner: string;
  /** The runner's loops: once they stop, no lease is taken any more. */
  loops: JobLoops;
  lease?: { ttlMs?: number; renewMs?: number };
  /** The lease of a job: `upgrade:<id>` unless another runner (Kubernetes upgrades) names its own. */
  leaseName?: (id: string) => string;
  log(message: string): void;
}

/**
 * The plans one runner drives, each under its lease (`upgrade:<planId>`, platform/leases), and
 * the checks that keep a runner whose lease is gone from writing or touching a node: every write
 * goes through `fenced`, every Talos call through a `guarded` client.
 */
export class PlanDrives {
  private readonly drives = new Map<string, Drive>();
  private readonly claiming = new Map<string, Promise<Drive | null>>();

  constructor(private readonly opts: PlanDrivesOptions) {}

  has(id: string): boolean {
    return this.drives.has(id);
  }

  get(id: string): Drive | undefined {
    return this.drives.get(id);
  }

  ids(): string[] {
    return [...this.drives.keys()];
  }

  /** The plan's lease for this runner (the one it holds already, or a new one), or null if another runner holds it. */
  claim(id: string): Promise<Drive | null> {
    const held = this.drives.get(id);
    if (held) return Promise.resolve(held);
    const claiming = this.claiming.get(id);
    if (claiming) return claiming;
    const { db, clock, owner, loops } = this.opts;
    const p = (async (): Promise<Drive | null> => {
      // A loop still registered is one letting the plan go (its drive is dropped, its release
      // may be under way): a lease taken now would have no loop (ensureLoop is a no-op while it
      // is registered) and the pending release would clear it. The next scan takes the plan up.
      if (loops.stopped || loops.has(id)) return null;
      const abort = new AbortController();
      // Filled in once the lease is held; onLost runs only later.
      const box: { drive?: Drive } = {};
      const name = (this.opts.leaseName ?? upgradeLeaseName)(id);
      const lease = await holdLease(db, name, owner, {
        clock,
        ttlMs: this.opts.lease?.ttlMs,
        renewMs: this.opts.lease?.renewMs,
        onLost: () => {
          if (box.drive) box.drive.lost = true;
          this.opts.log(`plan ${id}: lost its lease (another runner took it over, or it could not be renewed); no longer driving it`);
          abort.abort(new LeaseLostError({ name, owner, fence: lease?.lease.fence ?? 0 }));
        },
      });
      if (!lease) return null;
      if (loops.stopped) {
        await lease.release();
        return null;
      }
      const drive: Drive = { held: lease, abort, signal: AbortSignal.any([loops.signal, abort.signal]), lost: false };
      box.drive = drive;
      this.drives.set(id, drive);
      return drive;
    })().finally(() => this.claiming.delete(id));
    this.claiming.set(id, p);
    return p;
  }

  /** Forgets a plan this runner drove and releases its lease (a no-op once the lease was lost). */
  async dropDrive(id: string): Promise<void> {
    const drive = this.drives.get(id);
    if (!drive) return;
    this.drives.delete(id);
    drive.abort.abort();
    // A lost lease is not released: that write would be refused anyway, and the old owner writes nothing.
    if (!drive.lost) await drive.held.release();
  }

  /** Lets the claims under way settle, then drops every drive: the runner is stopping. */
  async dropAll(): Promise<void> {
    await Promise.all(this.claiming.values());
    await Promise.all([...this.drives.keys()].map((id) => this.dropDrive(id)));
  }

  /**
   * Throws LeaseLostError unless this runner may still act for the plan: its loop was not
   * stopped, no renewal found the lease gone, and by this runner's clock the lease is not within
   * one renewal period of its expiry (a process paused past its renewals finds out here, before
   * it touches a node; the margin covers clock skew between replicas, as the rollout runner's).
   */
  assertHolding(drive: Drive): void {
    const renewMs = this.opts.lease?.renewMs ?? LEASE_RENEW_MS;
    const lost = drive.lost || drive.held.lost || this.opts.clock.now() >= drive.held.lease.expiresAt - renewMs;
    if (lost || drive.signal.aborted) {
      if (lost) drive.lost = true;
      if (!drive.abort.signal.aborted) drive.abort.abort();
      throw new LeaseLostError(drive.held.lease);
    }
  }

  /**
   * One write of this runner for the plan, in a transaction that first checks the lease's
   * fencing number. A refusal stops the plan's loop and its nodes at once before it is rethrown.
   */
  async fenced<T>(drive: Drive, write: (trx: Db) => Promise<T>): Promise<T> {
    this.assertHolding(drive);
    try {
      return await drive.held.fenced(write);
    } catch (e) {
      if (isLeaseLost(e)) {
        drive.lost = true;
        drive.abort.abort();
        this.opts.log(`${drive.held.lease.name}: a write was refused (fence ${drive.held.lease.fence} is stale): another runner took the plan over`);
      }
      throw e;
    }
  }

  /** A plan's Talos client that refuses every call once the runner may no longer act for it. */
  guarded<T extends object = UpgradeTalos>(client: T, drive: Drive): T {
    return new Proxy(client, {
      get: (target, prop, receiver) => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          this.assertHolding(drive);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }
}
