/**
 * Talos upgrades with the real Kubernetes access and drainer (lib/server/kubernetes) against the
 * simulator's Kubernetes API: the simulator's timeline proves every node is cordoned and drained
 * before its reboot and uncordoned after it, never more cordoned at once than a batch; a
 * `pdb-blocks` node halts the plan naming the PDB (nothing forced by default) until a person
 * forces it; with the Kubernetes API down the drain is skipped and said (force) or waits (halt).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import type { TimelineEntry } from "@/lib/simulator/fleet";
import { upgradeRequestSchema, type UpgradePlan, type UpgradeRequest } from "@/lib/schemas/upgrades";
import { createKubeAccessProvider } from "@/lib/server/kubernetes/access";
import { createNodeDrainer } from "@/lib/server/kubernetes/drainer";
import type { Db } from "@/lib/server/platform/db/db";
import { testDb } from "@/test/db";
import { startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";

import { UpgradeRunner } from "./runner";

let t: TestFleet;
let db: Db;
let runner: UpgradeRunner;
const CLUSTER = "sim-1";

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.162.1", controlPlanes: 3, workers: 5, version: "v1.13.9", rebootSeconds: 0.3, bootSeconds: 0.2, readySeconds: 0.1, upgradeSeconds: 0.2, podSeconds: 0.1 });
  db = await testDb();
  const cps = t.fleet.nodes.filter((n) => n.role === "controlplane").map((n) => n.address);
  const access = createKubeAccessProvider({ uploaded: async () => null, uploadStamp: async () => null, talos: async () => ({ client: t.clients.admin, controlPlanes: cps }), now: Date.now }, { callTimeoutMs: 2_000 });
  runner = new UpgradeRunner({
    db,
    client: async () => t.clients.admin,
    clusterNodes: async () => t.contexts.admin.nodes,
    kubernetes: { access, drainer: createNodeDrainer(access, { retryMs: 200, pollMs: 100, forceWaitMs: 5_000 }) },
    pollIntervalMs: 100,
    readTimeoutMs: 10_000,
    log: () => {},
  });
  runner.start();
}, 60_000);

afterAll(async () => {
  await runner?.stop();
  await t?.stop();
});

afterEach(() => {
  t.fleet.clearFaults();
});

const request = (r: Partial<UpgradeRequest> & { version: string }) => upgradeRequestSchema.parse({ cluster: CLUSTER, ...r });

async function until(id: string, ok: (p: UpgradePlan) => boolean, timeoutMs = 90_000): Promise<UpgradePlan> {
  let last: UpgradePlan | null = null;
  try {
    return await waitFor(async () => {
      last = await runner.getOrThrow(id);
      return ok(last) ? last : undefined;
    }, timeoutMs, 100);
  } catch (e) {
    // Say where the plan stood: the node states and the last messages of those in flight.
    const p = last as UpgradePlan | null;
    const where = p ? `${p.state} (${p.reason ?? "no reason"}): ${p.nodes.map((n) => `${n.hostname} ${n.state} ${n.messages.at(-1)?.text ?? ""}`).join(" | ")}` : "never read";
    throw new Error(`${(e as Error).message}; the plan: ${where}`);
  }
}
const finished = (id: string) => until(id, (p) => ["succeeded", "failed", "cancelled"].includes(p.state));
const sinceNow = () => {
  const from = t.fleet.timeline().length;
  return () => t.fleet.timeline().slice(from);
};

/** The most nodes cordoned at the same time, from the simulator's cordon/uncordon events. */
function maxCordoned(tl: TimelineEntry[]): number {
  const now = new Set<string>();
  let max = 0;
  for (const e of tl) {
    if (e.event === "cordon") now.add(e.hostname);
    if (e.event === "uncordon") now.delete(e.hostname);
    max = Math.max(max, now.size);
  }
  return max;
}

const firstIndex = (tl: TimelineEntry[], host: string, ok: (e: TimelineEntry) => boolean) => tl.findIndex((e) => e.hostname === host && ok(e));
const lastIndex = (tl: TimelineEntry[], host: string, ok: (e: TimelineEntry) => boolean) => tl.findLastIndex((e) => e.hostname === host && ok(e));

describe("Talos upgrades drain through the simulated Kubernetes API", () => {
  it("3 control planes + 5 workers: each node cordoned and drained before its reboot, uncordoned after; at most a batch cordoned", async () => {
    const timeline = sinceNow();
    const plan = await runner.create(request({ version: "v1.14.0", strategy: { maxParallelWorkers: 2 } }));
    const done = await finished(plan.id);
    expect(done.state).toBe("succeeded");
    const tl = timeline();
    for (const n of t.fleet.nodes) {
      const cordon = firstIndex(tl, n.hostname, (e) => e.event === "cordon");
      const down = firstIndex(tl, n.hostname, (e) => e.event === "stage" && e.stage === "rebooting");
      const up = lastIndex(tl, n.hostname, (e) => e.event === "stage" && e.stage === "running");
      const uncordon = lastIndex(tl, n.hostname, (e) => e.event === "uncordon");
      expect(cordon, n.hostname).toBeGreaterThanOrEqual(0);
      expect(cordon, n.hostname).toBeLessThan(down);
      expect(up, n.hostname).toBeLessThan(uncordon);
    }
    // Pods moved off workers before their reboot.
    expect(tl.filter((e) => e.event === "evict").length).toBeGreaterThan(0);
    expect(tl.filter((e) => e.event === "pod-deleted")).toEqual([]);
    expect(maxCordoned(tl)).toBe(2);
    expect(done.nodes.map((n) => n.drain?.phase)).toEqual(Array(8).fill("uncordoned"));
    // One leadership handover: the leader goes last among the control planes and leads until then.
    expect(tl.filter((e) => e.event === "forfeit-leadership")).toHaveLength(1);
  }, 120_000);

  it("pdb-blocks halts at that node after the timeout naming the PDB, forces nothing; a person's force goes on", async () => {
    const worker = t.fleet.nodes.filter((n) => n.role === "worker").sort((a, b) => a.hostname.localeCompare(b.hostname))[0]!;
    t.fleet.setFault({ node: worker.hostname, fault: "pdb-blocks" });
    const timeline = sinceNow();
    const plan = await runner.create(request({ version: "v1.14.1", strategy: { drain: { timeoutSeconds: 10 } } }));
    const blocked = await until(plan.id, (p) => p.nodes.some((n) => n.state === "drain-blocked"));
    const row = blocked.nodes.find((n) => n.state === "drain-blocked")!;
    expect(row.hostname).toBe(worker.hostname);
    expect(blocked.state).toBe("running");
    expect(blocked.reason).toContain(`default/pinned-${worker.hostname}`);
    expect(row.drain?.blocking.flatMap((b) => b.pdbs)).toContain(`default/pinned-${worker.hostname}`);
    expect(timeline().filter((e) => e.event === "pod-deleted")).toEqual([]);
    expect(firstIndex(timeline(), worker.hostname, (e) => e.event === "stage" && e.stage === "rebooting")).toBe(-1);
    // The halt came only after the timeout: evictions refused by the PDB from the cordon on, for 10 s.
    const cordonedAt = timeline().find((e) => e.hostname === worker.hostname && e.event === "cordon")!.time;
    expect(timeline().filter((e) => e.hostname === worker.hostname && e.event === "evict-blocked").length).toBeGreaterThan(0);
    expect(Date.parse(row.drain!.at) - cordonedAt).toBeGreaterThanOrEqual(10_000);

    // Forced, the pinned pod is deleted (its Deployment would recreate it on the next worker,
    // whose drain the same PDB would block for another timeout: the fault goes once this
    // worker is past its drain, taking the pinned Deployment and PDB with it).
    await runner.drainAction(plan.id, row.id, "force-drain", "user:ops");
    await until(plan.id, (p) => !["draining", "drain-blocked"].includes(p.nodes.find((n) => n.id === row.id)!.state));
    t.fleet.clearFaults();
    let done = await until(plan.id, (p) => p.state !== "running" || p.nodes.some((n) => n.state === "drain-blocked"));
    while (done.state === "running") {
      await runner.drainAction(plan.id, done.nodes.find((n) => n.state === "drain-blocked")!.id, "force-drain", "user:ops");
      done = await until(plan.id, (p) => p.state !== "running" || p.nodes.some((n) => n.state === "drain-blocked"));
    }
    expect(done.state).toBe("succeeded");
    const tl = timeline();
    const deleted = firstIndex(tl, worker.hostname, (e) => e.event === "pod-deleted");
    expect(deleted).toBeGreaterThanOrEqual(0);
    expect(deleted).toBeLessThan(firstIndex(tl, worker.hostname, (e) => e.event === "stage" && e.stage === "rebooting"));
    expect(done.nodes.find((n) => n.id === row.id)!.messages.map((m) => m.text)).toEqual(expect.arrayContaining([expect.stringMatching(/^forced by a person/)]));
  }, 150_000);

  it("Kubernetes API down: force skips the drain and says so; halt waits for a person", async () => {
    const cp = t.fleet.nodes.find((n) => n.role === "controlplane")!;
    t.fleet.setFault({ node: cp.hostname, fault: "kube-api-down" });
    const forced = await runner.create(request({ version: "v1.14.2", nodes: t.fleet.nodes.filter((n) => n.role === "worker").slice(0, 2).map((n) => n.address), strategy: { drain: { onTimeout: "force" } } }));
    const done = await finished(forced.id);
    expect(done.state).toBe("succeeded");
    for (const n of done.nodes) expect(n.drain?.message).toMatch(/^Kubernetes cannot be asked .*drain skipped \(onTimeout: force\)/);

    const halted = await runner.create(request({ version: "v1.14.2", nodes: [t.fleet.nodes.filter((n) => n.role === "worker")[2]!.address] }));
    const waiting = await until(halted.id, (p) => p.nodes[0]!.state === "drain-blocked");
    expect(waiting.reason).toMatch(/Kubernetes cannot be asked/);
    await runner.control(halted.id, "cancel", "user:ops");
    expect((await finished(halted.id)).state).toBe("cancelled");
  }, 120_000);
});
