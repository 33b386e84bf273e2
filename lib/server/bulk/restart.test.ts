/**
 * A bulk run survives its driver: a runner stopped while a node is coming back from its reboot
 * leaves the run as persisted, and another runner (another replica) takes it over, waits for that
 * node instead of rebooting it again, and finishes the rest. The simulator's timeline counts the
 * reboots.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createBulkBodySchema } from "@/lib/schemas/bulk";
import type { NodeDrainer } from "@/lib/server/kubernetes/types";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";
import { waitFor } from "@/test/talos/fleet";

import { coreNodeActions } from "./node-port";
import { BulkRepository } from "./repo";
import { BulkRunner } from "./runner";
import { createBulk, getBulkRun, type BulkServiceDeps, type FleetNode } from "./service";

let t: ConfigTestFleet;
const runners: BulkRunner[] = [];

beforeAll(async () => {
  t = await startConfigTestFleet({ firstAddress: "127.0.220.1", controlPlanes: 1, workers: 3, rebootSeconds: 1 });
});
afterAll(async () => {
  for (const r of runners) await r.stop();
  await t?.stop();
});

function runner(owner: string): BulkRunner {
  const r = new BulkRunner(
    { db: t.deps.db, now: () => new Date(), client: async () => t.clients.admin, actions: coreNodeActions(t.deps, {} as NodeDrainer), publish: () => {} },
    { owner, pollMs: 50, healthTimeoutMs: 15_000, scanMs: 100, leaseTtlMs: 1_000, leaseRenewMs: 300 },
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
