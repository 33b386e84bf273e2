import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { redactConfig } from "@/lib/config/redact";
import type { RolloutDetail } from "@/lib/schemas/configs";
import { listAudit } from "@/lib/server/platform/audit";
import { RolloutRunner } from "@/lib/server/configs/rollouts/runner";
import { createRollout, getRollout, rolloutAction } from "@/lib/server/configs/rollouts/service";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";
import { withHostname } from "@/test/talos/fleet";

const USER = "test user";
let t: ConfigTestFleet;
let runner: RolloutRunner;
let workerYaml: string;
let cpYaml: string;
let cluster: string;

const appliesByNode = () => {
  const counts: Record<string, number> = {};
  for (const e of t.fleet.timeline()) if (e.event === "apply") counts[e.node] = (counts[e.node] ?? 0) + 1;
  return counts;
};

beforeAll(async () => {
  // 2 control planes + 6 workers = the rollout over 8 nodes.
  t = await startConfigTestFleet({ firstAddress: "127.0.152.1", controlPlanes: 2, workers: 6 });
  runner = new RolloutRunner({ deps: t.deps, pollMs: 50, healthTimeoutMs: 5_000 });
  cluster = t.fleet.clusters[0]!;
  workerYaml = redactConfig(await t.runningConfig(t.ids[2]!));
  cpYaml = redactConfig(await t.runningConfig(t.ids[0]!));
});
afterAll(async () => {
  await runner?.stop();
  await t?.stop();
});

async function settle(r: RolloutDetail): Promise<RolloutDetail> {
  await runner.idle(r.id);
  return getRollout(t.deps, r.id);
}

describe("rollouts", () => {
  it("takes a selector as its target: a hostname glob, nodes by hostname, a Talos version; names it cannot find are refused", async () => {
    // First in the file: later tests apply configs that rename the nodes.
    const ws = t.fleet.nodes.filter((n) => n.role === "worker");
    const byGlob = await createRollout(t.deps, { yaml: withHostname(workerYaml, "w-sel"), target: { cluster, hostname: `${ws[0]!.hostname.slice(0, -1)}?`, role: "worker" }, mode: "no-reboot", concurrency: 1, continueOnFailure: false }, USER, { runner: null });
    const sameShape = ws.filter((w) => w.hostname.length === ws[0]!.hostname.length && w.hostname.startsWith(ws[0]!.hostname.slice(0, -1)));
    expect(byGlob.nodes.map((n) => n.id)).toEqual(sameShape.map((w) => t.idOf(w.address)));
    await rolloutAction(t.deps, byGlob.id, "cancel", USER, { runner: null });
    const byName = await createRollout(t.deps, { yaml: withHostname(workerYaml, "w-sel"), target: { cluster, nodes: [ws[1]!.hostname], talosVersion: ws[1]!.version }, mode: "no-reboot", concurrency: 1, continueOnFailure: false }, USER, { runner: null });
    expect(byName.nodes.map((n) => n.id)).toEqual([t.idOf(ws[1]!.address)]);
    await rolloutAction(t.deps, byName.id, "cancel", USER, { runner: null });
    await expect(createRollout(t.deps, { yaml: workerYaml, target: { cluster, nodes: ["no-such-host"] }, mode: "no-reboot", concurrency: 1, continueOnFailure: false }, USER, { runner: null })).rejects.toMatchObject({
      code: "not_found",
      message: `Not in cluster "${cluster}": no-such-host`,
    });
  });

  it("stops before applying anything when a target's preflight fails, with the node's reason", async () => {
    const bad = t.ids[4]!;
    t.fleet.setFault({ node: t.address(bad), fault: "reject-apply", message: "1 error occurred:\n\t* nope\n\n" });
    const before = appliesByNode();
    try {
      const r = await createRollout(t.deps, { yaml: withHostname(workerYaml, "w-x"), target: { cluster, role: "worker" }, mode: "auto", concurrency: 2, continueOnFailure: false }, USER, { runner });
      expect(r.state).toBe("preflight-failed");
      expect(r.message).toBe("The preflight failed on 1 of 6 nodes; nothing was applied.");
      expect(r.nodes.find((n) => n.id === bad)).toMatchObject({ state: "preflight-failed", message: expect.stringContaining("nope") });
      expect(r.nodes.filter((n) => n.id !== bad).every((n) => n.state === "skipped")).toBe(true);
      expect(appliesByNode()).toEqual(before);
      expect((await listAudit(t.deps.db, { limit: 1 }))[0]).toMatchObject({ action: "config.rollout.create", result: "refused" });
    } finally {
      t.fleet.clearFaults(t.address(bad));
    }
  });

  it("applies to 8 nodes, control planes one at a time first, and stops at a node that rejects the apply", async () => {
    // One manifest per role is the usual shape; here the control planes and workers each get theirs.
    const cps = await createRollout(t.deps, { yaml: withHostname(cpYaml, "cp-rolled"), target: { cluster, role: "controlplane" }, mode: "auto", concurrency: 4, continueOnFailure: false }, USER, { runner });
    expect(cps.state).toBe("running");
    const doneCp = await settle(cps);
    expect(doneCp.state).toBe("done");
    const [a, b] = doneCp.nodes;
    expect(Date.parse(b!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(a!.finishedAt!));

    // The fault lands after the preflight-all passed: the apply itself fails on that node.
    const bad = t.ids[5]!;
    const r = await createRollout(t.deps, { yaml: withHostname(workerYaml, "w-rolled"), target: { cluster, role: "worker" }, mode: "auto", concurrency: 1, continueOnFailure: false }, USER, { runner: null });
    expect(r.nodes.map((n) => n.state)).toEqual(Array(6).fill("preflight-ok"));
    t.fleet.setFault({ node: t.address(bad), fault: "reject-apply", message: "1 error occurred:\n\t* rejected mid-rollout\n\n" });
    try {
      runner.kick(r.id);
      const done = await settle(r);
      expect(done.state).toBe("failed");
      expect(done.nodes.map((n) => [n.id, n.state])).toEqual([
        [t.ids[2], "done"],
        [t.ids[3], "done"],
        [t.ids[4], "done"],
        [bad, "failed"],
        [t.ids[6], "preflight-ok"],
        [t.ids[7], "preflight-ok"],
      ]);
      expect(done.nodes[3]!.message).toContain("rejected mid-rollout");
      expect(done.message).toContain(bad);
      expect(await t.runningConfig(t.ids[2]!)).toContain("w-rolled");
      expect(await t.runningConfig(t.ids[6]!)).not.toContain("w-rolled");
      expect(done.nodes[0]!.revisionId).toBeDefined();
      expect(await t.deps.revisions.get(t.ids[2]!, done.nodes[0]!.revisionId!)).toMatchObject({ source: "rollout", rolloutId: r.id, result: "applied" });

      // Resume continues past the failure the operator has seen; the rest are applied.
      t.fleet.clearFaults(t.address(bad));
      await rolloutAction(t.deps, r.id, "resume", USER, { runner });
      const resumed = await settle(r);
      expect(resumed.nodes.map((n) => n.state)).toEqual(["done", "done", "done", "failed", "done", "done"]);
      expect(resumed.state).toBe("failed");
    } finally {
      t.fleet.clearFaults(t.address(bad));
    }
  });

  it("a node down mid-rollout fails with its reason; continueOnFailure finishes the others", async () => {
    const down = t.ids[3]!;
    const r = await createRollout(t.deps, { yaml: withHostname(workerYaml, "w-down-test"), target: { cluster, nodes: [t.ids[2]!, down, t.ids[4]!] }, mode: "no-reboot", concurrency: 2, continueOnFailure: true }, USER, { runner: null });
    expect(r.state).toBe("running");
    t.fleet.setFault({ node: t.address(down), fault: "down" });
    try {
      runner.kick(r.id);
      const done = await settle(r);
      expect(done.nodes.map((n) => n.state)).toEqual(["done", "failed", "done"]);
      expect(done.nodes[1]!.message).toMatch(/unreachable|refused|UNAVAILABLE|connect/i);
      expect(done.state).toBe("failed");
    } finally {
      t.fleet.clearFaults(t.address(down));
    }
  });

  it("workers run at most `concurrency` at a time", async () => {
    const r = await createRollout(t.deps, { yaml: withHostname(workerYaml, "w-parallel"), target: { cluster, role: "worker" }, mode: "reboot", concurrency: 3, continueOnFailure: false }, USER, { runner });
    const done = await settle(r);
    expect(done.state).toBe("done");
    const events = done.nodes.flatMap((n) => [
      { at: Date.parse(n.startedAt!), d: 1 },
      { at: Date.parse(n.finishedAt!), d: -1 },
    ]);
    events.sort((x, y) => x.at - y.at || x.d - y.d);
    let running = 0;
    let peak = 0;
    for (const e of events) peak = Math.max(peak, (running += e.d));
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });

  it("is refused (409, naming it) while a Kubernetes upgrade of the cluster is live, writing no rollout", async () => {
    const at = new Date().toISOString();
    await t.deps.db
      .insertInto("kubernetes_upgrades")
      .values({ id: "k-live", cluster, from_version: "1.33.4", to_version: "1.34.1", options: "{}", manifests_sync: "server-side-apply", state: "paused", reason: null, actor: "user:bob", checks: "[]", manifest_revision: null, created_at: at, started_at: at, finished_at: null, updated_at: at })
      .execute();
    const before = (await t.deps.db.selectFrom("config_rollouts").select("id").execute()).length;
    try {
      await expect(createRollout(t.deps, { yaml: workerYaml, target: { cluster, role: "worker" }, mode: "auto", concurrency: 1, continueOnFailure: false }, USER, { runner: null })).rejects.toMatchObject({
        code: "conflict",
        details: { kind: "kubernetes-upgrade", id: "k-live" },
      });
      expect(await t.deps.db.selectFrom("config_rollouts").select("id").execute()).toHaveLength(before);
    } finally {
      await t.deps.db.deleteFrom("kubernetes_upgrades").where("id", "=", "k-live").execute();
    }
  });

  it("pause stops new nodes, resume continues, cancel skips the rest", async () => {
    const r = await createRollout(t.deps, { yaml: withHostname(workerYaml, "w-paused"), target: { cluster, role: "worker" }, mode: "no-reboot", concurrency: 1, continueOnFailure: false }, USER, { runner: null });
    await rolloutAction(t.deps, r.id, "pause", USER, { runner });
    runner.kick(r.id);
    const paused = await settle(r);
    expect(paused.state).toBe("paused");
    expect(paused.nodes.every((n) => n.state === "preflight-ok")).toBe(true);
    await expect(rolloutAction(t.deps, r.id, "pause", USER, { runner })).rejects.toThrow(/cannot be paused/);
    const cancelled = await rolloutAction(t.deps, r.id, "cancel", USER, { runner });
    expect(cancelled.state).toBe("cancelled");
    expect(cancelled.nodes.every((n) => n.state === "skipped" && n.message === `Cancelled by ${USER}`)).toBe(true);
    expect((await listAudit(t.deps.db, { limit: 2 })).map((e) => e.action)).toEqual(["config.rollout.cancel", "config.rollout.pause"]);
  });
});
