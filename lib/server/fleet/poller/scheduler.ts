import "server-only";

import type { ClusterEntry, NodeEntry, PollerCore } from "./core";

/** What the scheduler starts; the poller wires these to its other parts. */
export interface SchedulerHooks {
  /** Polls one node; never rejects with anything but a bug (logged). */
  poll(e: NodeEntry): Promise<void>;
  /** Looks for a cluster's nodes beyond the talosconfig's. */
  discover(c: ClusterEntry): void;
  /** Runs on every tick, after the due polls are started (the readings refresh). */
  tick(now: number): void;
}

/**
 * When each node is polled: a timer wakes at the next due poll or discovery (at least once a
 * second), due nodes queue, at most `concurrency` polls run at once fleet-wide, unreachable
 * nodes back off exponentially with jitter, and a sweep completes once every node has been
 * polled since the last one (what `firstSweep`/`nextSweep` wait for).
 */
export class PollScheduler {
  private readonly queue: NodeEntry[] = [];
  private tickTimer: unknown = null;
  /** Node polls running right now. */
  inFlight = 0;
  /** Full sweeps completed. */
  sweeps = 0;
  private sweepPending = new Set<NodeEntry>();
  private readonly sweepWaiters: (() => void)[] = [];
  private readonly active = new Set<Promise<void>>();

  constructor(
    private readonly core: PollerCore,
    private readonly hooks: SchedulerHooks,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  tick = (): void => {
    const { core } = this;
    if (!core.running) return;
    if (this.tickTimer !== null) core.o.clock.clearTimeout(this.tickTimer);
    this.tickTimer = null;
    const now = core.now();
    let nextWake = now + Math.min(1_000, core.o.intervalMs);
    for (const c of core.clusters) {
      if (!c.owned) continue;
      if (!c.discovering && now >= c.nextDiscovery) this.hooks.discover(c);
      nextWake = Math.min(nextWake, c.nextDiscovery);
    }
    for (const e of core.byId.values()) {
      if (e.queued || e.polling || !e.cluster.owned) continue;
      if (e.nextDue <= now) {
        e.queued = true;
        this.queue.push(e);
      } else nextWake = Math.min(nextWake, e.nextDue);
    }
    this.pump();
    this.hooks.tick(now);
    this.tickTimer = core.o.clock.setTimeout(this.tick, Math.max(10, nextWake - now));
  };

  private pump(): void {
    while (this.core.running && this.inFlight < this.core.o.concurrency && this.queue.length > 0) {
      const e = this.queue.shift()!;
      e.queued = false;
      e.polling = true;
      this.inFlight++;
      const p = this.hooks
        .poll(e)
        .catch((err: unknown) => console.error(`[minos] poll of ${e.id} failed`, err))
        .finally(() => {
          e.polling = false;
          this.inFlight--;
          this.active.delete(p);
          if (e.pollAfter !== null) {
            const due = e.pollAfter;
            e.pollAfter = null;
            // Not before the interval's worth of backoff an unreachable node earned.
            if (e.failures === 0) this.pollSoon(e, Math.max(0, due - this.core.now()));
          }
          this.pump();
        });
      this.active.add(p);
    }
  }

  /**
   * Brings a node's next poll forward (never later than already planned). Asked while the node
   * is being polled, it is a poll after that one: what the request announced (an event) may have
   * happened after the poll read the node, and the poll's own rescheduling must not drop it.
   */
  pollSoon(e: NodeEntry, delayMs = 0): void {
    const { core } = this;
    const due = core.now() + delayMs;
    if (e.polling) {
      e.pollAfter = Math.min(e.pollAfter ?? Infinity, due);
      return;
    }
    if (e.nextDue <= due) return;
    e.nextDue = due;
    if (core.running && !e.queued && !e.polling) {
      if (this.tickTimer !== null) core.o.clock.clearTimeout(this.tickTimer);
      this.tickTimer = core.o.clock.setTimeout(this.tick, Math.max(0, delayMs));
    }
  }

  /** The delay before the next poll after `failures` failed polls in a row. */
  backoffMs(failures: number): number {
    const o = this.core.o;
    if (failures <= 0) return o.intervalMs;
    const base = Math.min(o.maxBackoffMs, o.intervalMs * 2 ** (failures - 1));
    return Math.round(base * (1 + o.jitter * o.random()));
  }

  /** A new node (or one whose cluster this process polls from now): the sweep in progress waits for it too. */
  track(e: NodeEntry): void {
    if (e.cluster.owned) this.sweepPending.add(e);
  }

  /** A polled node: completes the sweep when it was the last one pending. */
  polled(e: NodeEntry): void {
    this.sweepPending.delete(e);
    if (this.sweepPending.size === 0) this.completeSweep();
  }

  /** Nodes left the registry, or this process stopped polling them: they are no longer queued or waited for. */
  forget(removed: readonly NodeEntry[]): void {
    const gone = new Set(removed);
    for (const e of removed) this.sweepPending.delete(e);
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const e = this.queue[i]!;
      if (gone.has(e) || !this.core.byId.has(e.id)) {
        e.queued = false;
        this.queue.splice(i, 1);
      }
    }
  }

  /** After {@link forget}: the sweep in progress may have been waiting on the removed nodes only. */
  settleSweep(): void {
    if (this.sweepPending.size === 0) this.completeSweep();
  }

  /** Every node is due now, and the next sweep waits for every one of them. */
  restartSweep(): void {
    this.sweepPending = new Set([...this.core.byId.values()].filter((e) => e.cluster.owned));
    for (const e of this.core.byId.values()) e.nextDue = 0;
  }

  /** Resolves true after the next full sweep, false after `timeoutMs` or when the poller stops. */
  waitForSweep(timeoutMs: number): Promise<boolean> {
    const { core } = this;
    if (!this.polling()) return Promise.resolve(true);
    const target = this.sweeps + 1;
    return new Promise<boolean>((resolve) => {
      let timer: unknown = null;
      const done = (ok: boolean) => {
        if (timer !== null) core.o.clock.clearTimeout(timer);
        resolve(ok);
      };
      if (Number.isFinite(timeoutMs)) timer = core.o.clock.setTimeout(() => done(false), timeoutMs);
      const check = () => {
        if (this.sweeps >= target || !core.running) done(this.sweeps >= target);
        else this.sweepWaiters.push(check);
      };
      check();
    });
  }

  /** Stops the timer and releases every waiter; resolves once the polls in flight have settled. */
  async stop(): Promise<void> {
    if (this.tickTimer !== null) this.core.o.clock.clearTimeout(this.tickTimer);
    this.tickTimer = null;
    for (const w of this.sweepWaiters.splice(0)) w();
    await Promise.allSettled([...this.active]);
  }

  /** Whether any node is polled here (a replica may mirror every cluster it knows). */
  polling(): boolean {
    return this.core.clusters.some((c) => c.owned && c.nodes.size > 0);
  }

  private completeSweep(): void {
    this.sweeps++;
    for (const n of this.core.byId.values()) if (n.cluster.owned) this.sweepPending.add(n);
    for (const w of this.sweepWaiters.splice(0)) w();
  }
}
