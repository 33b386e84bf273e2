/**
 * The scheduler alone, on a hand-driven clock: backoff, the concurrency bound and the sweep
 * bookkeeping when a cluster's nodes leave mid-sweep (the simulator-backed poller.test.ts covers
 * the whole poller end to end).
 */
import { describe, expect, it } from "vitest";

import type { ClusterEntry, NodeEntry, PollerCore } from "./core";
import { PollScheduler } from "./scheduler";
import { resolvePollerOptions, type PollerClock } from "./types";

function setup(options: { concurrency?: number; jitter?: number; random?: number } = {}) {
  let now = 1_000;
  const timers = new Set<unknown>();
  const clock: PollerClock = {
    now: () => now,
    setTimeout: () => {
      const h = {};
      timers.add(h);
      return h;
    },
    clearTimeout: (h) => void timers.delete(h),
  };
  const o = resolvePollerOptions({
    loadClusters: async () => [],
    intervalMs: 1_000,
    maxBackoffMs: 8_000,
    concurrency: options.concurrency ?? 32,
    jitter: options.jitter ?? 0,
    random: () => options.random ?? 0,
    clock,
  });
  const cluster = { name: "lab", owned: true, nodes: new Map() } as unknown as ClusterEntry;
  const core: PollerCore = { o, clusters: [cluster], byId: new Map(), running: true, signal: new AbortController().signal, now: () => now };
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const scheduler = new PollScheduler(core, {
    poll: (e) => {
      started.push(e.id);
      return new Promise<void>((resolve) => finish.set(e.id, resolve));
    },
    discover: () => {},
    tick: () => {},
  });
  const add = (id: string) => {
    const e = { id, cluster, nextDue: now, queued: false, polling: false, pollAfter: null, failures: 0 } as NodeEntry;
    core.byId.set(id, e);
    cluster.nodes.set(id, e);
    scheduler.track(e);
    return e;
  };
  return { core, scheduler, add, started, finish, advance: (ms: number) => (now += ms) };
}

describe("poll scheduler", () => {
  it("backs off exponentially from the interval up to the cap, with jitter on top", () => {
    const { scheduler } = setup({ jitter: 0.5, random: 0.5 });
    expect([0, 1, 2, 3, 4, 10].map((f) => scheduler.backoffMs(f))).toEqual([1_000, 1_250, 2_500, 5_000, 10_000, 10_000]);
  });

  it("runs at most `concurrency` polls; the rest queue until one ends", async () => {
    const { scheduler, add, started, finish } = setup({ concurrency: 2 });
    ["a", "b", "c"].forEach(add);
    scheduler.tick();
    expect(started).toEqual(["a", "b"]);
    expect([scheduler.inFlight, scheduler.queued]).toEqual([2, 1]);
    finish.get("a")!();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(["a", "b", "c"]);
    expect([scheduler.inFlight, scheduler.queued]).toEqual([2, 0]);
  });

  it("completes the sweep when the only nodes it still waited for are removed", async () => {
    const { core, scheduler, add } = setup({ concurrency: 1 });
    const [a, b] = ["a", "b"].map(add) as [NodeEntry, NodeEntry];
    scheduler.tick();
    expect(scheduler.queued).toBe(1);
    const sweep = scheduler.waitForSweep(Infinity);
    scheduler.polled(a);
    expect(scheduler.sweeps).toBe(0);

    core.byId.delete(b.id);
    scheduler.forget([b]);
    expect(scheduler.queued).toBe(0);
    expect(scheduler.sweeps).toBe(0);
    scheduler.settleSweep();
    expect(scheduler.sweeps).toBe(1);
    await expect(sweep).resolves.toBe(true);
  });

  it("never polls a node later than already planned when asked to poll it soon", () => {
    const { scheduler, add, advance } = setup();
    const e = add("a");
    e.nextDue = 5_000;
    scheduler.pollSoon(e, 3_000);
    expect(e.nextDue).toBe(4_000);
    scheduler.pollSoon(e, 3_500);
    expect(e.nextDue).toBe(4_000);
    advance(100);
    scheduler.pollSoon(e);
    expect(e.nextDue).toBe(1_100);
  });

  it("a poll asked for while the node is being polled comes after that poll, whatever the poll reschedules itself to", async () => {
    const { scheduler, add, started, finish, advance } = setup();
    const e = add("a");
    scheduler.tick();
    expect(started).toEqual(["a"]);
    // An event while the poll reads: it must not be lost to the poll's own rescheduling.
    scheduler.pollSoon(e, 500);
    advance(200);
    // The poll ends and plans its next run an interval away (NodePoll does this).
    e.nextDue = 1_200 + 1_000;
    finish.get("a")!();
    await new Promise((r) => setImmediate(r));
    expect(e.nextDue).toBe(1_500);
    expect(e.pollAfter).toBeNull();
  });

  it("a node that failed its poll keeps its backoff: no extra poll after it", async () => {
    const { scheduler, add, finish } = setup();
    const e = add("a");
    scheduler.tick();
    scheduler.pollSoon(e, 0);
    e.failures = 1;
    e.nextDue = 3_000;
    finish.get("a")!();
    await new Promise((r) => setImmediate(r));
    expect(e.nextDue).toBe(3_000);
  });
});
