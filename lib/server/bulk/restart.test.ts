/**
 * A bulk run survives its driver: a runner stopped while a node is coming back from its reboot
 * leaves the run as persisted, and another runner (another replica) takes it over, waits for that
 * node instead of rebooting it again, and finishes the rest. The simulator's timeline counts the
 * reboots.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { createBulkBodySchema } from "@/lib/schemas/bulk";
import { DEFAULT_DRAIN_POLICY } from "@/lib/schemas/kubernetes";
import { bootIdentity } from "@/lib/server/jobs";
import type { NodeDrainer } from "@/lib/server/kubernetes/types";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";
import { waitFor } from "@/test/talos/fleet";

import { coreNodeActions } from "./node-port";
import { BulkRepository } from "./repo";
import { BulkRunner } from "./runner";
import { createBulk, getBulkRun, type BulkServiceDeps, type FleetNode } from "./service";
import { serviceBack } from "./steps";

let t: ConfigTestFleet;
const runners: BulkRunner[] = [];

beforeAll(async () => {
  t = await startConfigTestFleet({ firstAddress: "127.0.220.1", controlPlanes: 1, workers: 3, rebootSeconds: 1 });
});
// Each test's runners stop with it: a leftover one would take the next test's run over.
afterEach(async () => {
  for (const r of runners.splice(0)) await r.stop();
});
afterAll(async () => {
  await t?.stop();
});

function runner(owner: string, healthTimeoutMs = 15_000): BulkRunner {
  const r = new BulkRunner(
    { db: t.deps.db, now: () => new Date(), client: async () => t.clients.admin, actions: coreNodeActions(t.deps, {} as NodeDrainer), publish: () => {} },
    { owner, pollMs: 50, healthTimeoutMs, scanMs: 100, leaseTtlMs: 1_000, leaseRenewMs: 300 },
  );
  runners.push(r);
  return r;
}

describe("bulk run takeover", () => {
  it("a second runner finishes the run without rebooting the node in flight again", async () => {
    const a = runner("replica-a");
    const deps: BulkServiceDeps = {
      db: t.deps.db,
      now: () => new Date(),
      fleetNodes: async () => t.fleet.nodes.map((n): FleetNode => ({ id: `${n.address}@${n.cluster}`, cluster: n.cluster, address: n.address, hostname: n.hostname, role: n.role, talosVersion: n.version })),
      labels: async () => new Map(),
      runner: () => a,
      publish: () => {},
      startUpgrade: async () => "",
      startPatchRollout: async () => "",
    };
    const since = Date.now();
    const out = await createBulk(deps, createBulkBodySchema.parse({ selector: { role: "worker" }, action: "reboot", drain: { enabled: false } }), { label: "user:ada", role: "operator" });
    if (out.kind !== "bulk") throw new Error("expected a bulk run");
    const id = out.run.id;
    const repo = new BulkRepository(t.deps.db);
    // Stop the first driver while the first worker is coming back from its reboot.
    await waitFor(async () => (await repo.getOrThrow(id)).nodes[0]!.state === "waiting-healthy", 10_000, 10);
    await a.stop();
    const left = await repo.getOrThrow(id);
    expect(left.state).toBe("running");
    expect(left.nodes.map((n) => n.state)).toEqual(["waiting-healthy", "pending", "pending"]);

    const b = runner("replica-b");
    b.start();
    const done = await waitFor(async () => {
      const r = await getBulkRun(deps, id);
      return r.state === "done" ? r : undefined;
    }, 30_000);
    expect(done.nodes.map((n) => n.state)).toEqual(["done", "done", "done"]);
    expect(done.nodes[0]!.message).toContain("back healthy");
    const reboots = t.fleet.timeline().filter((e) => e.time >= since && e.event === "reboot").map((e) => e.node);
    expect(reboots.sort()).toEqual(t.fleet.nodes.filter((n) => n.role === "worker").map((n) => n.address).sort());
  }, 60_000);
});

/**
 * A run left by a driver that stopped right after it marked a node's action sent (the call may or
 * may not have gone out): one worker, its node `running` or `waiting-healthy` with the mark.
 */
async function leftRun(id: string, action: "reboot" | "service-restart", worker: number, state: "running" | "waiting-healthy"): Promise<{ node: string; address: string }> {
  const w = t.fleet.nodes.filter((n) => n.role === "worker")[worker]!;
  const node = `${w.address}@${w.cluster}`;
  const repo = new BulkRepository(t.deps.db);
  await repo.create({
    id,
    cluster: w.cluster,
    action,
    params: action === "reboot" ? { mode: "default", drain: { ...DEFAULT_DRAIN_POLICY, enabled: false } } : { service: "kubelet" },
    selector: { role: "worker" },
    author: "user:ada",
    authorRole: "operator",
    concurrency: 1,
    continueOnFailure: false,
    at: new Date(),
    nodes: [{ id: node, hostname: w.hostname, role: "worker" }],
  });
  expect(await repo.startNode(id, node, new Date())).toBe(true);
  const bootBefore = action === "reboot" ? await bootIdentity(t.clients.admin, w.address) : undefined;
  await repo.updateNode(id, node, { state, sentAt: new Date(), ...(bootBefore ? { bootBefore } : {}) }, new Date());
  return { node, address: w.address };
}

async function settled(id: string) {
  const repo = new BulkRepository(t.deps.db);
  return waitFor(async () => {
    const r = await repo.getOrThrow(id);
    return r.state !== "running" ? r : undefined;
  }, 30_000);
}

describe("a resumed node action is not sent twice", () => {
  it("a takeover at waiting-healthy does not restart the service again, and waits for its health", async () => {
    const since = Date.now();
    const { address } = await leftRun("bulk-restart-left", "service-restart", 1, "waiting-healthy");
    // The previous driver's ServiceRestart, in flight.
    await t.clients.admin.serviceAction(address, "restart", "kubelet");
    runner("replica-c").start();
    const done = await settled("bulk-restart-left");
    expect(done.nodes.map((n) => [n.state, n.message])).toEqual([["done", "running again"]]);
    // Back means health-checked healthy, not Running with its health still unknown.
    expect((await t.clients.admin.services(address)).kubelet).toMatchObject({ running: true, healthy: true, unknown: false });
    const restarts = t.fleet.timeline().filter((e) => e.time >= since && e.event === "service-restart" && e.node === address);
    expect(restarts).toHaveLength(1);
  }, 60_000);

  it("a reboot marked sent is waited for, never resent; on the old boot it fails saying so", async () => {
    const since = Date.now();
    await leftRun("bulk-reboot-unsent", "reboot", 2, "running");
    runner("replica-d", 1_500).start();
    const failed = await settled("bulk-reboot-unsent");
    expect(failed.nodes[0]!.state).toBe("failed");
    expect(failed.nodes[0]!.message).toContain("the reboot may not have happened");
    expect(t.fleet.timeline().filter((e) => e.time >= since && e.event === "reboot")).toEqual([]);
  }, 60_000);

  it("a reboot marked sent that did happen is waited for until healthy", async () => {
    const since = Date.now();
    const { address } = await leftRun("bulk-reboot-sent", "reboot", 0, "running");
    await t.clients.admin.reboot(address);
    runner("replica-e").start();
    const done = await settled("bulk-reboot-sent");
    expect(done.nodes.map((n) => n.state)).toEqual(["done"]);
    expect(done.nodes[0]!.message).toContain("back healthy");
    expect(t.fleet.timeline().filter((e) => e.time >= since && e.event === "reboot").map((e) => e.node)).toEqual([address]);
  }, 60_000);
});

describe("serviceBack", () => {
  it("wants a reported health from a health-checked service, and running from the others", () => {
    expect(serviceBack("kubelet", { running: true, healthy: false, unknown: true })).toEqual({ ok: false, reason: "kubelet has no health reported yet" });
    expect(serviceBack("kubelet", { running: true, healthy: true, unknown: false })).toEqual({ ok: true });
    expect(serviceBack("kubelet", { running: true, healthy: false, unknown: false })).toEqual({ ok: false, reason: "kubelet is not healthy yet" });
    expect(serviceBack("udevd", { running: true, healthy: false, unknown: true })).toEqual({ ok: true });
    expect(serviceBack("ext-foo", { running: true, healthy: false, unknown: true }, true).ok).toBe(false);
    expect(serviceBack("kubelet", { running: false, healthy: false, unknown: true })).toEqual({ ok: false, reason: "kubelet is not running yet" });
    expect(serviceBack("kubelet", undefined)).toEqual({ ok: false, reason: "no service kubelet" });
  });
});
