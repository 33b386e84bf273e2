import { getEventListeners } from "node:events";

import { describe, expect, it } from "vitest";

import { AppError } from "@/lib/server/platform/errors";
import type { TalosEvent } from "@/lib/server/talos/events";
import type { EventsOptions } from "@/lib/server/talos/api/machine";
import { FakeClock, flush } from "@/test/fake-clock";

import { NodeEventWake, waitUntil, type Verdict } from "./index";

const base = { id: "", actorId: "", typeUrl: "" };
const hello: TalosEvent = { ...base, type: "hello" };
const status = (stage: "booting" | "running", ready: boolean): TalosEvent => ({ ...base, type: "machineStatus", stage, ready, unmetConditions: [] });
const phase: TalosEvent = { ...base, type: "phase", phase: "cleanup", action: "start" };

/** A node's Events streams as a test feeds them: each open takes the next script, or fails. */
class FakeEvents {
  opens: EventsOptions[] = [];
  private feed: ((e: TalosEvent | Error) => void) | null = null;
  constructor(private readonly reachable: () => boolean) {}

  events(_node: string, opts: EventsOptions = {}): AsyncIterable<TalosEvent> {
    this.opens.push(opts);
    if (!this.reachable()) throw new AppError("node_unreachable", "connection refused");
    const queue: (TalosEvent | Error)[] = [hello];
    let wakeUp: (() => void) | null = null;
    this.feed = (e) => {
      queue.push(e);
      wakeUp?.();
    };
    const signal = opts.signal;
    return {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          if (signal?.aborted) return;
          const next = queue.shift();
          if (next instanceof Error) throw next;
          if (next) {
            yield next;
            continue;
          }
          await new Promise<void>((r) => {
            wakeUp = r;
            signal?.addEventListener("abort", () => r(), { once: true });
          });
          wakeUp = null;
        }
      },
    };
  }

  /** Sends an event on the open stream (an Error ends it as a dropped stream does). */
  send(e: TalosEvent | Error): void {
    this.feed!(e);
  }
}

/** A look at the node that counts itself; the node is "there" once `ok` is set. */
function look() {
  const state = { reads: 0, ok: false };
  return { state, check: async (): Promise<Verdict> => (state.reads++, state.ok ? { ok: true } : { ok: false, reason: "not yet" }) };
}

describe("NodeEventWake", () => {
  it("wakes a wait on the node's event: the gate passes without a poll (the clock never moved)", async () => {
    const clock = new FakeClock();
    const src = new FakeEvents(() => true);
    const wake = new NodeEventWake(src, "10.5.0.7", { clock, reconnectMs: 250 });
    const { state, check } = look();
    const done = waitUntil({ clock, pollMs: 60_000, deadline: clock.now() + 600_000, check, wake });
    await flush();
    // The first look, then the stream's hello (opened at the first wait) asks for another.
    expect(state.reads).toBe(2);
    expect(src.opens).toHaveLength(1);
    // Something that is not about the node's health (a phase, a service's step before its first check): no look.
    src.send(phase);
    src.send({ ...base, type: "serviceState", service: "kubelet", state: "PREPARING", message: "Running pre state" });
    await flush();
    expect(state.reads).toBe(2);
    state.ok = true;
    src.send(status("running", true));
    expect(await done).toEqual({ ok: true });
    expect(state.reads).toBe(3);
    expect(clock.now()).toBe(1_000_000);
    expect(wake.events).toBe(1);
    await wake.close();
  });

  it("an event that comes while a look is under way is not lost: the next wait returns at once", async () => {
    const clock = new FakeClock();
    const src = new FakeEvents(() => true);
    const wake = new NodeEventWake(src, "10.5.0.7", { clock, reconnectMs: 250 });
    expect(await wake.wait(60_000)).toBe("event"); // the hello
    src.send(status("booting", false));
    await flush();
    // Nobody waited when it came; the next wait takes it.
    expect(await wake.wait(60_000)).toBe("event");
    const timedOut = wake.wait(1_000);
    await clock.advance(1_000);
    expect(await timedOut).toBe("timeout");
    await wake.close();
    expect(await wake.wait(1_000)).toBe("stopped");
  });

  it("falls back to polling while the stream cannot be opened, and reopens it replaying this boot's events", async () => {
    const clock = new FakeClock();
    let up = false;
    const src = new FakeEvents(() => up);
    const wake = new NodeEventWake(src, "10.5.0.7", { clock, reconnectMs: 250 });
    const { state, check } = look();
    const done = waitUntil({ clock, pollMs: 1_000, deadline: clock.now() + 600_000, check, wake });
    await flush();
    expect(state.reads).toBe(1);
    await clock.advance(1_000);
    // One look per poll interval while the stream fails; it was retried every 250 ms meanwhile.
    expect(state.reads).toBe(2);
    expect(src.opens.length).toBe(5);
    expect(wake.failures).toBe(5);
    await clock.advance(1_000);
    expect(state.reads).toBe(3);
    // The node is back: the next reopen's hello is a look of its own, before the next poll.
    up = true;
    await clock.advance(250);
    expect(state.reads).toBe(4);
    expect(src.opens.at(-1)?.tailEvents).toBe(-1);
    state.ok = true;
    src.send(status("running", true));
    expect(await done).toEqual({ ok: true });
    expect(state.reads).toBe(5);
    await wake.close();
  });

  it("a dropped stream (the node rebooting) is reopened; an abort ends the stream and the wait", async () => {
    const clock = new FakeClock();
    const src = new FakeEvents(() => true);
    const ac = new AbortController();
    const wake = new NodeEventWake(src, "10.5.0.7", { clock, reconnectMs: 250, signal: ac.signal });
    expect(await wake.wait(60_000)).toBe("event");
    src.send(new AppError("node_unreachable", "connection reset"));
    await flush();
    expect(wake.connected).toBe(false);
    await clock.advance(250);
    expect(src.opens).toHaveLength(2);
    expect(wake.connects).toBe(2);
    expect(await wake.wait(60_000)).toBe("event"); // the second hello
    const pending = wake.wait(60_000);
    ac.abort();
    expect(await pending).toBe("stopped");
    await wake.close();
  });

  it("leaves nothing on the job's signal once closed (one wake per node, the signal lives as long as the job)", async () => {
    const clock = new FakeClock();
    const src = new FakeEvents(() => true);
    const job = new AbortController();
    for (let i = 0; i < 20; i++) {
      const wake = new NodeEventWake(src, "10.5.0.7", { clock, reconnectMs: 250, signal: job.signal });
      expect(await wake.wait(60_000)).toBe("event");
      await wake.close();
    }
    expect(getEventListeners(job.signal, "abort")).toHaveLength(0);
  });
});
