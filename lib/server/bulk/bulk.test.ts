/**
 * Bulk runs against the simulator over mTLS: the selection, the rollout safety (workers within
 * `concurrency`, control planes never two down at once, the quorum guard), stop on failure,
 * pause/resume/cancel, and the one-run-per-cluster checks. The sim's timeline is the witness.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createBulkBodySchema, type BulkRun, type CreateBulkBody } from "@/lib/schemas/bulk";
import type { TimelineEntry } from "@/lib/simulator/fleet";
import type { NodeRef } from "@/lib/server/kubernetes/types";
import { listAudit } from "@/lib/server/platform/audit";
import type { Db } from "@/lib/server/platform/db/db";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";

import { coreNodeActions } from "./node-port";
import { BulkRunner } from "./runner";
import { bulkRunAction, createBulk, getBulkRun, type BulkServiceDeps, type FleetNode } from "./service";

const USER = "user:ada";
const OPERATOR = { label: USER, role: "operator" as const };
let t: ConfigTestFleet;
let db: Db;
let runner: BulkRunner;
let deps: BulkServiceDeps;
let cluster: string;
const published: BulkRun[] = [];

/** The Kubernetes side of cordon/uncordon, recorded (the drain itself is the node-action core's, tested there). */
const cordoned = new Set<string>();
const calls: string[] = [];
const drainer = {
  cordon: async (ref: NodeRef) => {
    calls.push(`cordon ${ref.hostname}`);
    const changed = !cordoned.has(ref.address);
    cordoned.add(ref.address);
    return { nodeName: ref.hostname ?? ref.address, changed, unschedulable: true };
  },
  uncordon: async (ref: NodeRef) => {
    calls.push(`uncordon ${ref.hostname}`);
    const changed = cordoned.delete(ref.address);
    return { nodeName: ref.hostname ?? ref.address, changed, unschedulable: false };
  },
} as unknown as Parameters<typeof coreNodeActions>[1];

beforeAll(async () => {
  t = await startConfigTestFleet({ firstAddress: "127.0.218.1", controlPlanes: 3, workers: 4 });
  cluster = t.fleet.clusters[0]!;
  db = t.deps.db;
  runner = new BulkRunner(
    { db, now: () => new Date(), client: async () => t.clients.admin, actions: coreNodeActions(t.deps, drainer), publish: (r) => published.push(r) },
    { pollMs: 50, healthTimeoutMs: 10_000, scanMs: 200 },
  );
  deps = {
    db,
    now: () => new Date(),
    fleetNodes: async () => t.fleet.nodes.map((n): FleetNode => ({ id: `${n.address}@${n.cluster}`, cluster: n.cluster, address: n.address, hostname: n.hostname, role: n.role, talosVersion: n.version })),
    labels: async () => new Map(t.fleet.nodes.map((n, i) => [n.address, { zone: i % 2 === 0 ? "a" : "b" }])),
    runner: () => runner,
    publish: (r) => published.push(r),
    startUpgrade: async () => {
      throw new Error("not in this test");
    },
    startPatchRollout: async () => {
      throw new Error("not in this test");
    },
  };
});
afterAll(async () => {
  await runner?.stop();
  await t?.stop();
});

const noDrain = { enabled: false };
const create = (body: CreateBulkBody) => createBulk(deps, createBulkBodySchema.parse(body), OPERATOR);

async function settled(id: string): Promise<BulkRun> {
  await runner.idle(id);
  return getBulkRun(deps, id);
}

/** Per node, the intervals it was down in the sim: from its reboot to its next `running` stage. */
function downIntervals(since: number): { node: string; from: number; to: number }[] {
  const out: { node: string; from: number; to: number }[] = [];
  const open = new Map<string, number>();
  for (const e of t.fleet.timeline().filter((x: TimelineEntry) => x.time >= since)) {
    if (e.event === "reboot") open.set(e.node, e.time);
    if (e.event === "stage" && e.stage === "running" && open.has(e.node)) {
      out.push({ node: e.node, from: open.get(e.node)!, to: e.time });
      open.delete(e.node);
    }
  }
  for (const [node, from] of open) out.push({ node, from, to: Number.POSITIVE_INFINITY });
  return out;
}

/** The most intervals open at once. */
function peak(intervals: { from: number; to: number }[]): number {
  const edges = intervals.flatMap((i) => [
    { at: i.from, d: 1 },
    { at: i.to, d: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const e of edges) max = Math.max(max, (now += e.d));
  return max;
}

const cps = () => t.fleet.nodes.filter((n) => n.role === "controlplane");
const workers = () => t.fleet.nodes.filter((n) => n.role === "worker");

describe("bulk runs", () => {
  it("plans a selection without starting anything: control planes each alone, then workers by concurrency", async () => {
    const before = t.fleet.timeline().length;
    const out = await create({ selector: { cluster }, action: "reboot", concurrency: 3, dryRun: true, drain: noDrain });
    expect(out.kind).toBe("plan");
    if (out.kind !== "plan") return;
    expect(out.plan.nodes.map((n) => n.role)).toEqual(["controlplane", "controlplane", "controlplane", "worker", "worker", "worker", "worker"]);
    expect(out.plan.nodes.map((n) => n.batch)).toEqual([0, 1, 2, 3, 3, 3, 4]);
    expect(out.plan.steps[0]).toContain("quorum guard");
    expect(t.fleet.timeline().slice(before).filter((e) => e.event === "reboot")).toEqual([]);
  });

  it("refuses names that match no node, a selection over nothing, and labels that match nothing", async () => {
    await expect(create({ nodes: ["no-such-node"], action: "cordon" })).rejects.toMatchObject({ code: "not_found", message: "No node matches no-such-node" });
    await expect(create({ selector: { cluster, hostname: "nothing-*" }, action: "cordon" })).rejects.toMatchObject({ code: "bad_request" });
    const byLabel = await create({ selector: { cluster, labels: { zone: "b" } }, action: "reboot", dryRun: true });
    // The fleet lists control planes first, as the plan orders them.
    expect(byLabel.kind === "plan" && byLabel.plan.nodes.map((n) => n.id)).toEqual(t.fleet.nodes.filter((_, i) => i % 2 === 1).map((n) => `${n.address}@${cluster}`));
  });

  it('reboots "role = worker" within the concurrency limit, each back healthy, audited per node', async () => {
    const since = Date.now();
    const out = await create({ selector: { cluster, role: "worker" }, action: "reboot", concurrency: 2, drain: noDrain });
    expect(out.kind).toBe("bulk");
    if (out.kind !== "bulk") return;
    const done = await settled(out.run.id);
    expect(done.state).toBe("done");
    expect(done.nodes.every((n) => n.state === "done" && n.message.includes("back healthy"))).toBe(true);
    const down = downIntervals(since);
    // Every worker went down once, no control plane did, never more than 2 at a time (and 2 did overlap).
    expect(down.map((d) => d.node).sort()).toEqual(workers().map((w) => w.address).sort());
    expect(peak(down)).toBe(2);
    // Each node's reboot went through the node-action core, which audits it naming the run.
    const audit = await listAudit(db, { limit: 50 });
    const rebooted = audit.filter((e) => e.action === "node.reboot" && e.result === "ok" && (e.details as { run?: string }).run === done.id);
    expect(rebooted.map((e) => e.target).sort()).toEqual(done.nodes.map((n) => n.id).sort());
    expect(audit.some((e) => e.action === "bulk.create" && e.target === done.id)).toBe(true);
    expect(published.some((r) => r.id === done.id && r.state === "done")).toBe(true);
  });

  it("never has two control planes down at once, nor a worker beside one", async () => {
    const since = Date.now();
    const out = await create({ selector: { cluster, nodes: [...cps().map((n) => n.hostname), workers()[0]!.address] }, action: "reboot", concurrency: 4, drain: noDrain });
    if (out.kind !== "bulk") throw new Error("expected a bulk run");
    const done = await settled(out.run.id);
    expect(done.state).toBe("done");
    const down = downIntervals(since);
    expect(down).toHaveLength(4);
    expect(peak(down)).toBe(1);
    // Control planes first, in order.
    expect(down.map((d) => d.node)).toEqual([...cps().map((n) => n.address), workers()[0]!.address]);
  });

  it("refuses a control plane's reboot while etcd has a member down (the quorum guard), and stops there", async () => {
    const [a, b] = cps();
    t.fleet.setFault({ node: a!.address, fault: "down" });
    try {
      const since = Date.now();
      const out = await create({ selector: { cluster, nodes: [b!.address, workers()[1]!.address] }, action: "reboot", drain: noDrain });
      if (out.kind !== "bulk") throw new Error("expected a bulk run");
      const done = await settled(out.run.id);
      expect(done.state).toBe("failed");
      expect(done.nodes.map((n) => n.state)).toEqual(["failed", "pending"]);
      expect(done.nodes[0]!.message).toMatch(/would break etcd quorum: 2 of 3 members are healthy/);
      expect(done.message).toContain("Stopped:");
      expect(downIntervals(since)).toEqual([]);
      // Cancel skips what never started.
      const cancelled = await bulkRunAction(deps, done.id, "cancel", USER);
      expect(cancelled.state).toBe("cancelled");
      expect(cancelled.nodes[1]).toMatchObject({ state: "skipped", message: `Cancelled by ${USER}` });
    } finally {
      t.fleet.clearFaults(a!.address);
    }
  });

  it("restarts kubelet on the selection, one node after the other, each running again before the next", async () => {
    const picked = workers().slice(2, 4);
    const out = await create({ selector: { cluster, nodes: picked.map((n) => n.address) }, action: "service-restart", service: "kubelet" });
    if (out.kind !== "bulk") throw new Error("expected a bulk run");
    const done = await settled(out.run.id);
    expect(done.state).toBe("done");
    expect(done.nodes.every((n) => n.message.endsWith("running again"))).toBe(true);
    // One at a time: the second started after the first was back.
    expect(Date.parse(done.nodes[1]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(done.nodes[0]!.finishedAt!));
    const audit = await listAudit(db, { limit: 20 });
    expect(audit.filter((e) => e.action === "node.service-restart" && e.result === "ok" && (e.details as { run?: string }).run === done.id)).toHaveLength(2);
  });

  it("refuses a service Talos's API does not restart before touching a node, with Talos's text", async () => {
    await expect(create({ selector: { cluster, role: "worker" }, action: "service-restart", service: "etcd" })).rejects.toMatchObject({
      code: "unsupported",
      message: `service "etcd" doesn't support restart operation via API`,
    });
  });

  it("cordons then uncordons the selection through Kubernetes, audited per node with the run", async () => {
    const picked = workers().slice(0, 2);
    const sel = { cluster, nodes: picked.map((n) => n.hostname) };
    const c = await create({ selector: sel, action: "cordon", concurrency: 2 });
    if (c.kind !== "bulk") throw new Error("expected a bulk run");
    const cd = await settled(c.run.id);
    expect(cd.state).toBe("done");
    expect(cd.nodes.map((n) => n.message)).toEqual(picked.map((n) => `Cordoned ${n.hostname}`));
    expect([...cordoned].sort()).toEqual(picked.map((n) => n.address).sort());
    const u = await create({ selector: sel, action: "uncordon", concurrency: 2 });
    if (u.kind !== "bulk") throw new Error("expected a bulk run");
    expect((await settled(u.run.id)).state).toBe("done");
    expect(cordoned.size).toBe(0);
    const audit = await listAudit(db, { limit: 20 });
    expect(audit.filter((e) => e.action === "node.cordon" && (e.details as { run?: string }).run === cd.id).map((e) => e.target).sort()).toEqual(picked.map((n) => `${n.address}@${cluster}`).sort());
  });

  it("one live bulk run per cluster, and none beside a live config rollout", async () => {
    const paused = await create({ selector: { cluster, role: "worker" }, action: "reboot", drain: noDrain });
    if (paused.kind !== "bulk") throw new Error("expected a bulk run");
    await bulkRunAction(deps, paused.run.id, "pause", USER);
    await expect(create({ selector: { cluster }, action: "cordon" })).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining(paused.run.id) });
    await bulkRunAction(deps, paused.run.id, "cancel", USER);
    await runner.idle(paused.run.id);
    const at = new Date().toISOString();
    await db
      .insertInto("config_rollouts")
      .values({ id: "ro-live", state: "running", author: USER, created_at: at, updated_at: at, target: "{}", mode: "auto", concurrency: 1, continue_on_failure: 0, config_hash: "h", redacted_yaml: "", message: "", manifest_revision: null })
      .execute();
    await db
      .insertInto("config_rollout_nodes")
      .values({ rollout_id: "ro-live", node: `${workers()[0]!.address}@${cluster}`, position: 0, role: "worker", state: "pending", message: "", mode: null, config_hash: null, config_sealed: null, key_id: null, boot_before: null, expected_running_hash: null, revision_id: null, started_at: null, finished_at: null })
      .execute();
    try {
      await expect(create({ selector: { cluster }, action: "cordon" })).rejects.toMatchObject({ code: "conflict", details: { kind: "config-rollout", id: "ro-live" } });
    } finally {
      await db.updateTable("config_rollouts").set({ state: "cancelled" }).where("id", "=", "ro-live").execute();
    }
  });
});
