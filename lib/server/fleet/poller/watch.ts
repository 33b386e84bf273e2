import "server-only";

import type { NodeStage } from "@/lib/schemas/fleet";

import { applyMachineStatus, type NodeEntry, type PollerCore } from "./core";

/** What a stream event changes; the poller wires these to its scheduler and snapshot. */
export interface WatchHooks {
  /** Resolves once the poller has started (a node added before start waits for it). */
  started(): Promise<unknown>;
  pollSoon(e: NodeEntry, delayMs?: number): void;
  refresh(e: NodeEntry): void;
  /** Publishes pending changes now rather than after the coalescing delay. */
  flushNow(): void;
}

/**
 * Follows each node's Events stream so a stage change shows at once instead of at the next
 * poll: a MachineStatus event updates the node and is published immediately, service events
 * bring the next poll forward, and a stream that drops reconnects with backoff and resyncs by
 * polling (what happened while it was down is not replayed). While it is open, polls read only
 * what changes without an event; any event makes the next poll a full read (see NodePoll).
 */
export class EventWatchers {
  /** Events streams currently open. */
  open = 0;
  private readonly active = new Set<Promise<void>>();

  constructor(
    private readonly core: PollerCore,
    private readonly hooks: WatchHooks,
  ) {}

  start(e: NodeEntry): void {
    e.watch = { connected: false, failures: 0 };
    const p = this.loop(e).finally(() => this.active.delete(p));
    this.active.add(p);
  }

  /** Resolves once every stream loop has ended (their clusters' signals are aborted first). */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.active]);
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    const clock = this.core.o.clock;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const h = clock.setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clock.clearTimeout(h);
        resolve();
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  private async loop(e: NodeEntry): Promise<void> {
    await this.hooks.started();
    const w = e.watch!;
    const { first, max } = this.core.o.watchBackoffMs;
    const signal = e.cluster.pollSignal;
    while (!signal.aborted) {
      let helloAt: number | null = null;
      try {
        for await (const ev of e.cluster.client.events(e.obs.address, { signal })) {
          // Whatever the stream says (or that it is live again), the next poll reads everything,
          // not only the readings (see NodePoll).
          e.fullReadDue = true;
          if (ev.type === "hello") {
            helloAt = this.core.now();
            w.connected = true;
            this.open++;
            // Resync after a gap: what happened while the stream was down is not replayed.
            if (w.failures > 0 || !e.obs.reachable) {
              e.failures = 0;
              this.hooks.pollSoon(e);
            }
            w.failures = 0;
          } else if (ev.type === "machineStatus") {
            this.onMachineStatus(e, ev.stage, ev.ready, ev.unmetConditions);
          } else if (ev.type === "serviceState") {
            // Service transitions come in bursts (a boot); one poll shortly after picks them all up.
            this.hooks.pollSoon(e, 500);
          }
        }
      } catch {
        // The node went away (rebooting, down): the poll decides what that means.
      }
      e.fullReadDue = true;
      if (w.connected) {
        w.connected = false;
        this.open--;
      }
      if (signal.aborted) return;
      if (helloAt !== null && e.failures === 0) this.hooks.pollSoon(e);
      w.failures++;
      await this.sleep(Math.min(max, first * 2 ** (w.failures - 1)) * (1 + this.core.o.jitter * this.core.o.random()), signal);
    }
  }

  private onMachineStatus(e: NodeEntry, stage: NodeStage, ready: boolean, unmet: { name: string; reason: string }[]): void {
    const now = this.core.now();
    applyMachineStatus(e, stage, ready, unmet, now);
    e.obs.reachable = true;
    e.obs.lastSeen = now;
    e.obs.lastError = null;
    if (e.obs.polledAt === null) e.obs.polledAt = now;
    this.hooks.refresh(e);
    // A stage change is what an operator watches for: publish at once, not after the coalescing delay.
    this.hooks.flushNow();
    // Services, etcd and readiness follow a stage change: look again soon.
    this.hooks.pollSoon(e, 300);
  }
}
