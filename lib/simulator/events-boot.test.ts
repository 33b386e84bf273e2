/**
 * A reboot as the Events stream shows it, in Talos's order (machined's ServiceRunner and boot
 * sequence): what the upgrade and rollout gates wake on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TalosEvent } from "@/lib/server/talos/events";
import { startTestFleet, type TestFleet } from "@/test/talos/fleet";

let t: TestFleet;

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.158.1", controlPlanes: 1, workers: 1, rebootSeconds: 0.2, bootSeconds: 0.2, readySeconds: 0.1 });
});
afterAll(async () => {
  await t?.stop();
});

/** The node's events from its next boot until it is RUNNING and ready, reconnecting while it reboots. */
async function nextBoot(address: string): Promise<TalosEvent[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 20_000);
  try {
    for (;;) {
      const seen: TalosEvent[] = [];
      try {
        for await (const e of t.clients.admin.events(address, { tailEvents: -1, signal: ac.signal })) {
          seen.push(e);
          if (e.type === "machineStatus" && e.stage === "running" && e.ready && seen.some((x) => x.type === "machineStatus" && x.stage === "booting")) return seen;
        }
      } catch {
        // Rebooting: not there yet.
      }
      if (ac.signal.aborted) throw new Error("the node did not come back");
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    clearTimeout(timer);
  }
}

describe("a reboot on the Events stream", () => {
  it("replays this boot only, with services Starting → Preparing → Running (health unknown) → their health check, all before the boot ends and the stage is RUNNING, then ready", async () => {
    const w = t.fleet.nodes.find((n) => n.role === "worker")!.address;
    await t.clients.admin.reboot(w);
    // The ring was emptied by the boot: nothing of the previous one is replayed.
    const events = (await nextBoot(w)).filter((e) => e.type !== "hello");
    const at = (pred: (e: TalosEvent) => boolean) => events.findIndex(pred);
    expect(events[0]).toMatchObject({ type: "sequence", sequence: "boot", action: "start" });
    expect(events[1]).toMatchObject({ type: "machineStatus", stage: "booting", ready: false });
    expect(events.some((e) => e.type === "machineStatus" && e.stage === "rebooting")).toBe(false);

    const kubelet = events.filter((e): e is Extract<TalosEvent, { type: "serviceState" }> => e.type === "serviceState" && e.service === "kubelet");
    expect(kubelet.map((e) => [e.state, e.message, e.healthy])).toEqual([
      ["STARTING", "Starting service", undefined],
      ["PREPARING", "Running pre state", undefined],
      ["PREPARING", "Creating service runner", undefined],
      ["RUNNING", "Service started", undefined],
      ["RUNNING", "Health check successful", true],
    ]);
    // A service without a health check never reports one.
    expect(events.filter((e) => e.type === "serviceState" && e.service === "machined").map((e) => (e.type === "serviceState" ? e.healthy : null))).toEqual([undefined, undefined, undefined, undefined]);

    const healthy = events.indexOf(kubelet.at(-1)!);
    const bootStop = at((e) => e.type === "sequence" && e.sequence === "boot" && e.action === "stop");
    const running = at((e) => e.type === "machineStatus" && e.stage === "running");
    const ready = at((e) => e.type === "machineStatus" && e.stage === "running" && e.ready);
    expect(healthy).toBeLessThan(bootStop);
    expect(bootStop).toBeLessThan(running);
    expect(events[running]).toMatchObject({ ready: false });
    expect(running).toBeLessThan(ready);
  });
});
