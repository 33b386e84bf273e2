import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";

import type { NodeSummary, NodesResponse } from "@/lib/schemas/fleet";
import { insertBackup, finishBackup } from "@/lib/server/backups/repository";
import { UpgradeRepository } from "@/lib/server/upgrades/repository";
import { node as fixtureNode } from "@/test/alerts/fixtures";
import { testDb } from "@/test/db";
import { preview } from "@/test/upgrades/preview";

import { backupSamples, driftSamples, fleetSamples, registerAlertSourceMetrics, runSamples, type AlertMetricSources, type RunLike } from "./prometheus-metrics";
import { readDrift, readLatestBackups, readRuns } from "./sources";

const NOW = new Date("2026-12-07T00:00:00Z");

// A node on a supported Talos unless a test says otherwise.
const node = (address: string, over: Partial<NodeSummary> = {}): NodeSummary => fixtureNode(address, { talosVersion: "v1.14.4", ...over });

const snapshot = (nodes: NodeSummary[]): NodesResponse => ({ nodes, clusters: [], updatedAt: NOW.toISOString() });

describe("fleetSamples", () => {
  it("reports failing services and etcd member problems of reachable nodes only", () => {
    const s = fleetSamples(
      snapshot([
        node("10.0.0.1", { role: "controlplane", failingServices: ["kubelet", "kubelet", "etcd"], problems: [{ kind: "etcd", severity: "critical", message: "learner" }] }),
        node("10.0.0.2", { role: "controlplane" }),
        node("10.0.0.3", { reachable: false, failingServices: ["kubelet"], role: "controlplane", problems: [{ kind: "etcd", severity: "critical", message: "stale" }] }),
        node("10.0.0.4", { role: "unknown", problems: [{ kind: "etcd", severity: "critical", message: "not a member" }] }),
        node("10.0.0.5"),
      ]),
      NOW,
    );
    expect(s.serviceFailing.map((x) => [x.labels.node, x.labels.service, x.value])).toEqual([
      ["10.0.0.1@prod", "kubelet", 1],
      ["10.0.0.1@prod", "etcd", 1],
    ]);
    expect(s.etcdMemberProblem.map((x) => [x.labels.node, x.value])).toEqual([
      ["10.0.0.1@prod", 1],
      ["10.0.0.2@prod", 0],
      ["10.0.0.4@prod", 1],
    ]);
  });

  it("gives each node its Talos minor's end of community support, when one is known", () => {
    const s = fleetSamples(snapshot([node("10.0.0.1", { talosVersion: "v1.12.3" }), node("10.0.0.2", { talosVersion: null }), node("10.0.0.3", { talosVersion: "v9.9.0" })]), NOW);
    expect(s.talosSupportEnd).toEqual([{ labels: { cluster: "prod", node: "10.0.0.1@prod", hostname: "host-10.0.0.1", minor: "1.12" }, value: Date.parse("2026-04-27T00:00:00Z") / 1000 }]);
  });
});

describe("runSamples", () => {
  const run = (over: Partial<RunLike>): RunLike => ({ kind: "talos-upgrade", cluster: "prod", state: "succeeded", createdAt: "2026-12-01T00:00:00.000Z", finishedAt: null, drainBlocked: [], ...over });

  it("gives the failure time of the latest run per cluster and kind only", () => {
    const s = runSamples([
      run({ state: "failed", createdAt: "2026-12-01T00:00:00.000Z", finishedAt: "2026-12-01T01:00:00.000Z" }),
      run({ state: "succeeded", createdAt: "2026-12-02T00:00:00.000Z" }), // newer: clears prod's talos-upgrade failure
      run({ cluster: "edge", state: "failed", createdAt: "2026-12-03T00:00:00.000Z", finishedAt: "2026-12-03T00:30:00.000Z" }),
      run({ kind: "bulk", state: "failed", createdAt: "2026-12-04T00:00:00.000Z", finishedAt: null }),
    ]);
    expect(s.runFailedAt).toEqual([
      { labels: { cluster: "edge", kind: "talos-upgrade" }, value: Date.parse("2026-12-03T00:30:00.000Z") / 1000 },
      { labels: { cluster: "prod", kind: "bulk" }, value: Date.parse("2026-12-04T00:00:00.000Z") / 1000 },
    ]);
  });

  it("counts runs waiting for a person: paused by itself, or a blocked drain; never an operator's pause or a finished one", () => {
    const s = runSamples([
      run({ kind: "config-rollout", state: "paused", reason: "node 10.0.0.2 failed its health gate" }),
      run({ kind: "config-rollout", state: "paused", reason: "Paused by user:alice" }),
      run({ kind: "config-rollout", state: "running", drainBlocked: ["10.0.0.3@prod"] }),
      run({ kind: "config-rollout", state: "failed", drainBlocked: ["10.0.0.4@prod"] }),
      run({ kind: "talos-upgrade", state: "running" }),
    ]);
    expect(s.runsHalted).toEqual([
      { labels: { cluster: "prod", kind: "config-rollout" }, value: 2 },
      { labels: { cluster: "prod", kind: "talos-upgrade" }, value: 0 },
    ]);
  });
});

describe("backupSamples and driftSamples", () => {
  it("flags a cluster whose latest backup failed, not one whose failure was followed by a success", () => {
    const s = backupSamples([
      { cluster: "prod", state: "failed", startedAt: "2026-12-01T00:00:00.000Z" },
      { cluster: "prod", state: "succeeded", startedAt: "2026-12-02T00:00:00.000Z" },
      { cluster: "edge", state: "succeeded", startedAt: "2026-12-01T00:00:00.000Z" },
      { cluster: "edge", state: "failed", startedAt: "2026-12-02T00:00:00.000Z" },
    ]);
    expect(s).toEqual([
      { labels: { cluster: "prod" }, value: 0 },
      { labels: { cluster: "edge" }, value: 1 },
    ]);
  });

  it("reports each drifted node, with its hostname when the fleet knows it", () => {
    const s = driftSamples([{ node: "10.0.0.1@prod" }, { node: "10.0.0.2@prod" }, { node: "not-a-node-id" }], new Map([["10.0.0.1@prod", "cp-1"]]));
    expect(s).toEqual([
      { labels: { cluster: "prod", node: "10.0.0.1@prod", hostname: "cp-1" }, value: 1 },
      { labels: { cluster: "prod", node: "10.0.0.2@prod", hostname: "10.0.0.2" }, value: 1 },
    ]);
  });
});

describe("registerAlertSourceMetrics", () => {
  const sources = (over: Partial<AlertMetricSources> = {}): AlertMetricSources => ({
    fleet: () => snapshot([node("10.0.0.1", { role: "controlplane", failingServices: ["apid"], talosVersion: "v1.13.9" })]),
    runs: async () => [{ kind: "ca-rotation", cluster: "prod", state: "failed", createdAt: "2026-12-01T00:00:00.000Z", finishedAt: "2026-12-01T00:10:00.000Z", drainBlocked: [] }],
    backups: async () => [{ cluster: "prod", state: "failed", startedAt: "2026-12-01T00:00:00.000Z" }],
    drift: async () => [{ node: "10.0.0.1@prod" }],
    now: () => NOW,
    ...over,
  });

  it("exposes every added gauge in the text exposition", async () => {
    const registry = new Registry();
    registerAlertSourceMetrics(registry, sources());
    const text = await registry.metrics();
    expect(text).toContain('minos_node_service_failing{cluster="prod",node="10.0.0.1@prod",hostname="host-10.0.0.1",service="apid"} 1');
    expect(text).toContain('minos_node_etcd_member_problem{cluster="prod",node="10.0.0.1@prod",hostname="host-10.0.0.1"} 0');
    expect(text).toContain(`minos_node_talos_support_end_timestamp_seconds{cluster="prod",node="10.0.0.1@prod",hostname="host-10.0.0.1",minor="1.13"} ${Date.parse("2026-08-27T00:00:00Z") / 1000}`);
    expect(text).toContain(`minos_run_failed_timestamp_seconds{cluster="prod",kind="ca-rotation"} ${Date.parse("2026-12-01T00:10:00.000Z") / 1000}`);
    expect(text).toContain('minos_runs_halted{cluster="prod",kind="ca-rotation"} 0');
    expect(text).toContain('minos_backup_latest_failed{cluster="prod"} 1');
    expect(text).toContain('minos_node_config_drifted{cluster="prod",node="10.0.0.1@prod",hostname="host-10.0.0.1"} 1');
  });

  it("leaves a failing source's gauges empty, reports it, and still serves the others", async () => {
    const registry = new Registry();
    const errors: string[] = [];
    registerAlertSourceMetrics(
      registry,
      sources({
        runs: async () => {
          throw new Error("store down");
        },
      }),
      (source) => errors.push(source),
    );
    const text = await registry.metrics();
    expect(text).not.toMatch(/^minos_run_failed_timestamp_seconds\{/m);
    expect(text).not.toMatch(/^minos_runs_halted\{/m);
    expect(text).toContain('minos_backup_latest_failed{cluster="prod"} 1');
    expect(errors).toContain("runs");
  });

  it("registers once per registry", () => {
    const registry = new Registry();
    registerAlertSourceMetrics(registry, sources());
    expect(() => registerAlertSourceMetrics(registry, sources())).not.toThrow();
  });
});

describe("the engine's store readers, through the gauges", () => {
  it("read runs of each kind with their blocked drains, on this store", async () => {
    const db = await testDb();
    const repo = new UpgradeRepository(db);
    await repo.insertPlan({ id: "u1", actor: "ada", preview: preview("prod", 2), etcdMembers: 1, now: Date.parse("2026-12-01T00:00:00Z") });
    await db.updateTable("upgrade_plans").set({ state: "running" }).where("id", "=", "u1").execute();
    await db.updateTable("upgrade_nodes").set({ state: "drain-blocked" }).where("plan_id", "=", "u1").where("node_id", "=", "10.5.0.3@prod").execute();
    const at = "2026-12-02T00:00:00.000Z";
    await db
      .insertInto("bulk_runs")
      .values({ id: "b1", cluster: "edge", action: "reboot", params: "{}", selector: "{}", state: "failed", author: "ada", author_role: "admin", concurrency: 1, continue_on_failure: 0, message: "", created_at: at, updated_at: "2026-12-02T00:05:00.000Z" })
      .execute();
    await db
      .insertInto("config_rollouts")
      .values({ id: "r1", state: "paused", author: "ada", created_at: at, updated_at: at, target: JSON.stringify({ cluster: "prod" }), mode: "auto", concurrency: 1, continue_on_failure: 0, config_hash: "h", redacted_yaml: "", message: "" })
      .execute();

    const runs = await readRuns(db, NOW);
    expect(runs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "talos-upgrade", cluster: "prod", state: "running", drainBlocked: ["10.5.0.3"] }),
        expect.objectContaining({ kind: "bulk", cluster: "edge", state: "failed", finishedAt: "2026-12-02T00:05:00.000Z" }),
        expect.objectContaining({ kind: "config-rollout", cluster: "prod", state: "paused" }),
      ]),
    );
    const s = runSamples(runs);
    expect(s.runsHalted.filter((x) => x.value > 0).map((x) => x.labels)).toEqual([
      { cluster: "prod", kind: "talos-upgrade" },
      { cluster: "prod", kind: "config-rollout" },
    ]);
    expect(s.runFailedAt).toEqual([{ labels: { cluster: "edge", kind: "bulk" }, value: Date.parse("2026-12-02T00:05:00.000Z") / 1000 }]);
  });

  it("read each cluster's latest finished backup and the drifted nodes into the exposition", async () => {
    const db = await testDb();
    const b = (id: string, cluster: string, at: string) => insertBackup(db, { id, cluster, origin: "manual", actor: "ada", host: "h", startedAt: new Date(at) });
    await b("b1", "prod", "2026-12-01T00:00:00Z");
    await finishBackup(db, "b1", { state: "failed", error: "boom" }, new Date("2026-12-01T00:01:00Z"));
    await b("b2", "prod", "2026-12-02T00:00:00Z"); // running: neither fails nor clears
    await b("b3", "edge", "2026-12-01T00:00:00Z");
    await finishBackup(db, "b3", { state: "failed", error: "boom" }, new Date("2026-12-01T00:01:00Z"));
    await b("b4", "edge", "2026-12-02T00:00:00Z");
    await finishBackup(db, "b4", { state: "succeeded", fileName: "f", sizeBytes: 1, sha256: "x", revision: 1, raftIndex: null, memberId: "m", memberHostname: "cp-1", node: null }, new Date("2026-12-02T00:01:00Z"));
    await db
      .insertInto("config_drift")
      .values([
        { node: "10.0.0.1@prod", checked_at: "2026-12-01T00:00:00.000Z", drifted: 1, running_hash: "a", revision_id: null, revision_hash: null, diff: "", changed_secrets: "[]" },
        { node: "10.0.0.2@prod", checked_at: "2026-12-01T00:00:00.000Z", drifted: 0, running_hash: "b", revision_id: null, revision_hash: null, diff: "", changed_secrets: "[]" },
        { node: "10.0.0.3@prod", checked_at: "2026-12-01T00:00:00.000Z", drifted: null, running_hash: "c", revision_id: null, revision_hash: null, diff: "", changed_secrets: "[]" },
      ])
      .execute();

    const registry = new Registry();
    registerAlertSourceMetrics(registry, { fleet: () => null, runs: () => readRuns(db, NOW), backups: () => readLatestBackups(db), drift: () => readDrift(db), now: () => NOW });
    const lines = (await registry.metrics()).split("\n").filter((l) => /^minos_(backup_latest_failed|node_config_drifted)\{/.test(l));
    expect(lines.sort()).toEqual([
      'minos_backup_latest_failed{cluster="edge"} 0',
      'minos_backup_latest_failed{cluster="prod"} 1',
      'minos_node_config_drifted{cluster="prod",node="10.0.0.1@prod",hostname="10.0.0.1"} 1',
    ]);
  });
});
