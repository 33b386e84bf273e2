/**
 * The upgrade runner against the simulator (3 control planes, 5 workers, fast timings): serial
 * and parallel upgrades, faults that halt the plan, pause/resume/cancel, and refusals. The
 * timeline proves the safety rule: never two control planes, never more than maxParallelWorkers
 * workers out of `running` at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { upgradeRequestSchema, type UpgradePlan, type UpgradeRequest } from "@/lib/schemas/upgrades";
import { listAudit } from "@/lib/server/platform/audit";
import type { Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import { testDb } from "@/test/db";
import { rejection, startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";

import { UpgradeRunner } from "./runner";
import { countEvents, maxConcurrentlyDown } from "@/test/upgrades/timeline";

let t: TestFleet;
let db: Db;
let runner: UpgradeRunner;
const CLUSTER = "sim-1";

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.141.1", controlPlanes: 3, workers: 5, rebootSeconds: 0.3, bootSeconds: 0.2, readySeconds: 0.1, upgradeSeconds: 0.2 });
  db = await testDb();
  runner = new UpgradeRunner({
    db,
    client: async () => t.clients.admin,
    clusterNodes: async () => t.contexts.admin.nodes,
    pollIntervalMs: 100,
    // Generous: a loaded CI machine must not turn a slow read into a failed node.
    readTimeoutMs: 10_000,
    log: () => {},
  });
  runner.start();
}, 60_000);

afterAll(async () => {
  await runner?.stop();
  await t?.stop();
});

const request = (r: Partial<UpgradeRequest> & { version: string }) => upgradeRequestSchema.parse({ cluster: CLUSTER, ...r });

async function finished(id: string, timeoutMs = 60_000): Promise<UpgradePlan> {
  return waitFor(async () => {
    const p = await runner.getOrThrow(id);
    return ["succeeded", "failed", "cancelled"].includes(p.state) ? p : undefined;
  }, timeoutMs, 100);
}

const versions = () => Object.fromEntries(t.fleet.nodeStates().map((n) => [n.hostname, n.version]));
const sinceNow = () => {
  const from = t.fleet.timeline().length;
  return () => t.fleet.timeline().slice(from);
};

async function allBackRunning() {
  await waitFor(async () => t.fleet.nodeStates().every((n) => n.reachable && n.stage === "running" && n.ready), 10_000, 100);
}

describe("upgrades that succeed", () => {
  it("serial: control planes first, one node at a time, every node on the target", async () => {
    const timeline = sinceNow();
    const plan = await runner.create(request({ version: "v1.14.0" }));
    expect(plan.state).toBe("running");
    expect(plan.batches.map((b) => b.role)).toEqual(["controlplane", "controlplane", "controlplane", "worker", "worker", "worker", "worker", "worker"]);
    const done = await finished(plan.id);
    expect(done.state).toBe("succeeded");
    expect(done.nodes.every((n) => n.state === "done" && n.attempts === 1)).toBe(true);
    expect(done.progress).toMatchObject({ total: 8, done: 8, failed: 0, percent: 100 });
    expect(new Set(Object.values(versions()))).toEqual(new Set(["v1.14.0"]));
    const tl = timeline();
    expect(maxConcurrentlyDown(tl, t.fleet.nodes)).toEqual({ controlplane: 1, worker: 1 });
    // One install and one reboot per node.
    expect([...countEvents(tl, "installed").values()]).toEqual(Array(8).fill(1));
    // Control planes were all done before the first worker went down.
    const firstWorkerDown = tl.find((e) => e.event === "stage" && e.stage === "rebooting" && t.fleet.nodes.find((n) => n.address === e.node)?.role === "worker")!.time;
    const lastCpUp = Math.max(...done.nodes.filter((n) => n.role === "controlplane").map((n) => Date.parse(n.finishedAt!)));
    expect(lastCpUp).toBeLessThanOrEqual(firstWorkerDown);
    const audit = (await listAudit(db, { limit: 10 })).filter((e) => e.target === plan.id);
    expect(audit.map((e) => e.action)).toEqual(["upgrade.succeeded", "upgrade.start"]);
  }, 90_000);

  it("maxParallelWorkers 2: workers in batches of two, still one control plane at a time", async () => {
    const timeline = sinceNow();
    const plan = await runner.create(request({ version: "v1.14.1", strategy: { maxParallelWorkers: 2, healthTimeoutSeconds: 60, stopOnFailure: true, rebootMode: "default", force: false } }));
    expect(plan.batches.map((b) => b.nodes.length)).toEqual([1, 1, 1, 2, 2, 1]);
    const done = await finished(plan.id);
    expect(done.state).toBe("succeeded");
    expect(new Set(Object.values(versions()))).toEqual(new Set(["v1.14.1"]));
    const down = maxConcurrentlyDown(timeline(), t.fleet.nodes);
    expect(down.controlplane).toBe(1);
    expect(down.worker).toBeLessThanOrEqual(2);
    expect(down.worker).toBeGreaterThanOrEqual(1);
  }, 90_000);
});

describe("faults halt the plan with the reason and leave the rest untouched", () => {
  const cases = [
    { fault: "upgrade-fails" as const, version: "v1.14.2", reason: /installer|exit/i },
    { fault: "never-returns" as const, version: "v1.14.3", reason: /not healthy within 5 s.*unreachable/ },
    { fault: "unhealthy" as const, version: "v1.14.4", reason: /not healthy within 5 s.*service kubelet unhealthy/ },
  ];
  for (const c of cases) {
    it(`${c.fault} on the first worker`, async () => {
      await allBackRunning();
      const worker = t.fleet.nodes.filter((n) => n.role === "worker").sort((a, b) => a.hostname.localeCompare(b.hostname))[0]!;
      const before = versions();
      const timeline = sinceNow();
      // unhealthy before the upgrade would only show after the reboot anyway; set it now.
      t.fleet.setFault({ node: worker.address, fault: c.fault });
      try {
        const plan = await runner.create(request({ version: c.version, strategy: { maxParallelWorkers: 1, healthTimeoutSeconds: 5, stopOnFailure: true, rebootMode: "default", force: false } }));
        const done = await finished(plan.id);
        expect(done.state).toBe("failed");
        expect(done.reason).toContain(worker.hostname);
        expect(done.reason).toMatch(c.reason);
        const failed = done.nodes.find((n) => n.address === worker.address)!;
        expect(failed.state).toBe("failed");
        expect(failed.error).toMatch(c.reason);
        // The control planes before it are upgraded; the workers after it were never touched.
        expect(done.nodes.filter((n) => n.role === "controlplane").every((n) => n.state === "done")).toBe(true);
        const rest = done.nodes.filter((n) => n.role === "worker" && n.address !== worker.address);
        expect(rest.map((n) => n.state)).toEqual(["skipped", "skipped", "skipped", "skipped"]);
        const touched = new Set(timeline().filter((e) => e.event === "upgrade" || e.event === "stage").map((e) => e.node));
        for (const n of rest) {
          expect(touched.has(n.address)).toBe(false);
          expect(versions()[n.hostname!]).toBe(before[n.hostname!]);
        }
        const audit = (await listAudit(db, { limit: 5 })).find((e) => e.target === plan.id && e.action === "upgrade.failed");
        expect(audit?.result).toBe("failed");
      } finally {
        t.fleet.clearFaults(worker.address);
      }
    }, 90_000);
  }
});

describe("pause, resume and cancel", () => {
  it("pause finishes the node in flight and starts no more; resume continues; cancel skips the rest", async () => {
    await allBackRunning();
    const plan = await runner.create(request({ version: "v1.14.5" }));
    await waitFor(async () => (await runner.getOrThrow(plan.id)).nodes.some((n) => n.state !== "pending"), 10_000, 20);
    const paused = await runner.control(plan.id, "pause");
    expect(paused.state).toBe("paused");
    await waitFor(async () => (await runner.getOrThrow(plan.id)).nodes.every((n) => ["pending", "done", "failed"].includes(n.state)), 20_000, 50);
    const atPause = await runner.getOrThrow(plan.id);
    expect(atPause.nodes.filter((n) => n.state === "done")).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 800));
    expect((await runner.getOrThrow(plan.id)).nodes.filter((n) => n.state !== "pending")).toHaveLength(1);
    expect((await rejection(runner.control(plan.id, "pause"))).message).toMatch(/Cannot pause an upgrade that is paused/);

    await runner.control(plan.id, "resume");
    await waitFor(async () => (await runner.getOrThrow(plan.id)).nodes.filter((n) => n.state === "done").length >= 2, 20_000, 20);
    const cancelling = await runner.control(plan.id, "cancel");
    expect(cancelling.state).toBe("cancelling");
    const done = await finished(plan.id);
    expect(done.state).toBe("cancelled");
    const states = done.nodes.map((n) => n.state);
    expect(states.filter((s) => s === "done").length).toBeGreaterThanOrEqual(2);
    expect(states.every((s) => s === "done" || s === "skipped"), JSON.stringify(done.nodes.map((n) => [n.hostname, n.state, n.error]))).toBe(true);
    expect(states.filter((s) => s === "skipped").length).toBeGreaterThan(0);
    const actions = (await listAudit(db, { limit: 20 })).filter((e) => e.target === plan.id).map((e) => e.action);
    expect(actions).toEqual(["upgrade.cancelled", "upgrade.cancel", "upgrade.resume", "upgrade.pause", "upgrade.start"]);
  }, 90_000);
});

describe("refusals", () => {
  it("refuses an unsupported version jump, naming the minimum version", async () => {
    await allBackRunning();
    const preview = await runner.preview(request({ version: "v1.17.0" }));
    expect(preview.canStart).toBe(false);
    const jumps = preview.checks.filter((c) => c.code === "version_jump");
    expect(jumps).toHaveLength(8);
    expect(jumps[0]!.message).toMatch(/accepts upgrades only from v1\.15\.0/);
    const err = await rejection(runner.create(request({ version: "v1.17.0" })));
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe("conflict");
    expect((await listAudit(db, { limit: 1 }))[0]).toMatchObject({ action: "upgrade.start", result: "refused", target: CLUSTER });
  });

  it("refuses when a node is unreachable or etcd is unhealthy; force turns etcd into a warning", async () => {
    const [cp1] = t.fleet.nodes.filter((n) => n.role === "controlplane");
    const w = t.fleet.nodes.find((n) => n.role === "worker")!;
    t.fleet.setFault({ node: w.address, fault: "down" });
    t.fleet.setFault({ node: cp1!.address, fault: "unhealthy" });
    try {
      const preview = await runner.preview(request({ version: "v1.14.6" }));
      expect(preview.canStart).toBe(false);
      expect(preview.checks.find((c) => c.code === "unreachable")).toMatchObject({ level: "error", node: `${w.address}@${CLUSTER}` });
      expect(preview.checks.find((c) => c.code === "etcd")).toMatchObject({ level: "error", message: expect.stringMatching(/not healthy with all members/) });
      const forced = await runner.preview(request({ version: "v1.14.6", nodes: [cp1!.address], strategy: { force: true, maxParallelWorkers: 1, healthTimeoutSeconds: 60, stopOnFailure: true, rebootMode: "default" } }));
      expect(forced.checks.find((c) => c.code === "etcd")?.level).toBe("warn");
      expect(forced.canStart).toBe(true);
      expect(forced.nodes.map((n) => n.address)).toEqual([cp1!.address]);
    } finally {
      t.fleet.clearFaults();
    }
  });

  it("refuses a second plan on a cluster that has one running", async () => {
    await allBackRunning();
    const plan = await runner.create(request({ version: "v1.14.7", nodes: [t.fleet.nodes.find((n) => n.role === "worker")!.address] }));
    const err = await rejection(runner.create(request({ version: "v1.14.7" })));
    expect(err.code).toBe("conflict");
    const result = await finished(plan.id);
    expect(result.state, JSON.stringify(result.nodes.map((n) => [n.hostname, n.state, n.error]))).toBe("succeeded");
  }, 30_000);
});
