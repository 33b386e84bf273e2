import "server-only";

import { acquireLease, releaseLease } from "@/lib/server/platform/leases";
import { isAppError } from "@/lib/server/platform/errors";

import { applyRetention, takeBackup, type BackupDeps } from "./run";
import { removeStalePartialFiles } from "./files";
import { failInterrupted, lastBackupTimes, listSchedules } from "./repository";
import { isDue } from "./retention";

/** The lease that makes one replica the scheduler (others stay idle until it expires). */
export const SCHEDULER_LEASE = "backups:scheduler";

export interface SchedulerOptions {
  owner: string;
  /** How often schedules are looked at; a backup is due at most this late. */
  tickMs: number;
}

/**
 * Runs due scheduled backups. Each tick takes (or renews) the scheduler lease, so with several
 * replicas only one takes scheduled backups; its files land in that replica's MINOS_BACKUP_DIR
 * (the rows name the host). Backups of one tick run one after the other: a snapshot streams the
 * whole database through one member, better not several clusters' at once from one Minos.
 */
export class BackupScheduler {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly startedAt: Date;
  private recovered = false;

  constructor(
    private readonly deps: BackupDeps,
    private readonly opts: SchedulerOptions,
  ) {
    this.startedAt = deps.now();
  }

  /**
   * Once per process: backups this host left running when it stopped become failed (any replica
   * does it for its own host, lease or not). Partial files idle for an hour go at every tick.
   */
  async recoverInterrupted(): Promise<void> {
    if (this.recovered) return;
    this.recovered = true;
    const failed = await failInterrupted(this.deps.db, this.deps.host, this.startedAt, this.deps.now());
    for (const b of failed) this.deps.publish({ type: "backup", backup: b });
  }

  start(): void {
    if (this.timer || this.stopped) return;
    const loop = () => {
      this.running = this.tick()
        .then(() => undefined)
        .catch((e: unknown) => console.error("[minos] backup scheduler tick failed", e))
        .finally(() => {
          this.running = null;
          if (!this.stopped) this.timer = setTimeout(loop, this.opts.tickMs);
          this.timer?.unref?.();
        });
    };
    this.timer = setTimeout(loop, 0);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await releaseLease(this.deps.db, { name: SCHEDULER_LEASE, owner: this.opts.owner, fence: await this.fence() }).catch(() => {});
  }

  private async fence(): Promise<number> {
    const r = await this.deps.db.selectFrom("leases").select("fence").where("name", "=", SCHEDULER_LEASE).executeTakeFirst();
    return r?.fence ?? 0;
  }

  /** One look at the schedules; returns the clusters backed up. */
  async tick(): Promise<string[]> {
    await this.recoverInterrupted();
    const now = this.deps.now();
    await removeStalePartialFiles(this.deps.dir, now);
    await this.sweep();
    // The lease outlives a tick and the backups in it (a snapshot may take minutes): a few ticks' worth.
    const ttl = Math.max(this.opts.tickMs * 3, 10 * 60_000);
    const lease = await acquireLease(this.deps.db, SCHEDULER_LEASE, this.opts.owner, now.getTime(), ttl);
    if (!lease) return [];
    const [schedules, last] = await Promise.all([listSchedules(this.deps.db), lastBackupTimes(this.deps.db)]);
    const done: string[] = [];
    for (const s of schedules) {
      if (this.stopped) break;
      if (!s.enabled || !isDue(last.get(s.cluster) ?? null, s.intervalMinutes, this.deps.now())) continue;
      // Renew between clusters so a long run of backups keeps the lease.
      if (!(await acquireLease(this.deps.db, SCHEDULER_LEASE, this.opts.owner, this.deps.now().getTime(), ttl))) break;
      try {
        await takeBackup(this.deps, { cluster: s.cluster, actor: "minos (schedule)", origin: "schedule", signal: this.abort.signal });
      } catch (e) {
        // A manual backup of this cluster is running: it counts, the schedule waits for the next tick.
        if (isAppError(e) && e.code === "conflict") continue;
        throw e;
      }
      done.push(s.cluster);
    }
    return done;
  }

  /**
   * Every replica, lease or not, applies each scheduled cluster's retention to its own files:
   * retention counts every host's backups but removes only this host's files, so when the
   * scheduler lease moves to another replica the old one's files would otherwise stay for ever.
   */
  private async sweep(): Promise<void> {
    for (const s of await listSchedules(this.deps.db)) {
      if (this.stopped) return;
      await applyRetention(this.deps, s.cluster).catch((e: unknown) => console.error(`[minos] backup retention sweep for ${s.cluster} failed`, e));
    }
  }
}
