/**
 * The store-reading sources over both stores: runs of each kind (latest, failed, paused,
 * drain-blocked nodes), each cluster's latest finished backup, drifted nodes; a failing source
 * is null (its rules skip the round) while the others still answer.
 */
import { beforeEach, describe, expect, it } from "vitest";

import type { Db } from "@/lib/server/platform/db/db";
import { testDb } from "@/test/db";

import { gatherInputs, readDrift, readLatestBackups, readRuns } from "./sources";

let db: Db;
const NOW = new Date("2026-12-07T00:00:00Z");
const ago = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

async function plan(id: string, cluster: string, state: string, createdHoursAgo: number, reason: string | null = null) {
  await db
    .insertInto("upgrade_plans")
    .values({ id, cluster, target_version: "v1.11.3", image: "ghcr.io/siderolabs/installer:v1.11.3", strategy: "{}", state, reason, actor: "user:a", checks: "[]", batches: "[]", etcd_members: null, created_at: ago(createdHoursAgo), started_at: null, finished_at: ago(createdHoursAgo - 1), updated_at: ago(createdHoursAgo) })
    .execute();
}

beforeEach(async () => {
  db = await testDb();
});

describe("alert sources", () => {
  it("reads recent and live runs of every kind, with the drain-blocked nodes of each", async () => {
    await plan("u-failed", "prod", "failed", 3, "worker-2 did not come back");
    await plan("u-old", "prod", "failed", 24 * 40);
    await plan("u-paused-old", "dev", "paused", 24 * 40);
    await db
      .insertInto("upgrade_nodes")
      .values({ plan_id: "u-paused-old", node_id: "10.5.0.9@dev", address: "10.5.0.9", hostname: "dev-w1", role: "worker", batch: 0, position: 0, from_version: null, to_version: "v1.11.3", already_on_target: 0, state: "drain-blocked", started_at: null, finished_at: null, state_changed_at: null, attempts: 0, boot_id_before: null, error: null, messages: "[]", drain: null })
      .execute();
    await db
      .insertInto("config_rollouts")
      .values({ id: "r1", state: "preflight-failed", author: "user:a", created_at: ago(2), updated_at: ago(1), target: JSON.stringify({ cluster: "prod" }), mode: "auto", concurrency: 1, continue_on_failure: 0, config_hash: "h", redacted_yaml: "", message: "", manifest_revision: null })
      .execute();
    await db
      .insertInto("ca_rotations")
      .values({ id: "c1", cluster: "prod", talos: 1, kubernetes: 0, state: "paused", reason: "verify failed", actor: "user:a", nodes: "[]", options: "{}", new_cas: "{}", secrets: "", key_id: "k", created_at: ago(1), started_at: ago(1), finished_at: null, updated_at: ago(1) })
      .execute();
    const runs = await readRuns(db, NOW);
    const byId = Object.fromEntries(runs.map((r) => [r.id, r]));
    expect(Object.keys(byId).sort()).toEqual(["c1", "r1", "u-failed", "u-paused-old"]);
    expect(byId["u-failed"]).toMatchObject({ kind: "talos-upgrade", cluster: "prod", state: "failed", reason: "worker-2 did not come back", drainBlocked: [] });
    expect(byId["u-paused-old"]).toMatchObject({ state: "paused", drainBlocked: ["dev-w1"] });
    // A rollout's preflight refusal is its failure; its cluster comes from its target.
    expect(byId["r1"]).toMatchObject({ kind: "config-rollout", cluster: "prod", state: "failed", finishedAt: ago(1) });
    expect(byId["c1"]).toMatchObject({ kind: "ca-rotation", state: "paused", reason: "verify failed" });
  });

  it("keeps an old run that failed recently, and reads why a bulk run or rollout stopped", async () => {
    // Created 40 days ago, failed (finished, updated) two hours ago: within run-failed's window.
    await db
      .insertInto("upgrade_plans")
      .values({ id: "u-long", cluster: "prod", target_version: "v1.11.3", image: "ghcr.io/siderolabs/installer:v1.11.3", strategy: "{}", state: "failed", reason: "worker-7 did not come back", actor: "user:a", checks: "[]", batches: "[]", etcd_members: null, created_at: ago(24 * 40), started_at: ago(24 * 40), finished_at: ago(2), updated_at: ago(2) })
      .execute();
    const bulk = (id: string, state: string, message: string) =>
      db.insertInto("bulk_runs").values({ id, cluster: "prod", action: "reboot", params: "{}", selector: "{}", state, author: "user:a", author_role: "operator", concurrency: 1, continue_on_failure: 0, message, created_at: ago(3), updated_at: ago(1) }).execute();
    await bulk("b-paused", "paused", "Paused by user:ops");
    await bulk("b-running", "running", "2 of 5 nodes done");
    const byId = Object.fromEntries((await readRuns(db, NOW)).map((r) => [r.id, r]));
    expect(byId["u-long"]).toMatchObject({ state: "failed", finishedAt: ago(2), reason: "worker-7 did not come back" });
    expect(byId["b-paused"]).toMatchObject({ kind: "bulk", state: "paused", reason: "Paused by user:ops" });
    // A running message is progress, not a reason.
    expect(byId["b-running"]).toMatchObject({ state: "running", reason: null });
  });

  it("passes the certificate scan's errors on beside the certificates", async () => {
    const inputs = await gatherInputs({
      db,
      fleet: () => null,
      certificates: async () => ({ certificates: [], errors: [{ cluster: "prod", node: "10.5.0.4@prod", source: "tls-handshake", code: "node_unreachable", message: "connection refused" }] }),
      support: null,
      now: () => NOW,
    });
    expect(inputs).toMatchObject({ certificates: [], certificateScanErrors: [{ cluster: "prod", node: "10.5.0.4@prod" }] });
  });

  it("reads each cluster's latest finished backup and the drifted nodes", async () => {
    const backup = (id: string, cluster: string, state: string, h: number, error: string | null = null) =>
      db.insertInto("etcd_backups").values({ id, cluster, state, origin: "schedule", actor: "minos", host: "h", file_name: null, size_bytes: null, sha256: null, revision: null, raft_index: null, member_id: null, member_hostname: null, node: null, error, started_at: ago(h), finished_at: null }).execute();
    await backup("b1", "prod", "succeeded", 5);
    await backup("b2", "prod", "failed", 3, "no space left on device");
    await backup("b3", "prod", "running", 1);
    await backup("b4", "dev", "failed", 8);
    await backup("b5", "dev", "succeeded", 2);
    const latest = Object.fromEntries((await readLatestBackups(db)).map((b) => [b.cluster, b]));
    expect(latest).toMatchObject({ prod: { id: "b2", state: "failed", error: "no space left on device" }, dev: { id: "b5", state: "succeeded" } });

    const drift = (node: string, drifted: number | null) => db.insertInto("config_drift").values({ node, checked_at: ago(1), drifted, running_hash: "r", revision_id: null, revision_hash: null, diff: "", changed_secrets: "[]" }).execute();
    await drift("10.5.0.3@prod", 1);
    await drift("10.5.0.4@prod", 0);
    await drift("10.5.0.5@prod", null);
    expect(await readDrift(db)).toEqual([{ node: "10.5.0.3@prod", checkedAt: ago(1) }]);
  });

  it("turns a failing source into null and lets the others answer", async () => {
    const inputs = await gatherInputs({
      db,
      fleet: () => null,
      certificates: async () => {
        throw new Error("scan failed");
      },
      support: null,
      now: () => NOW,
    });
    expect(inputs).toMatchObject({ fleet: null, certificates: null, runs: [], backups: [], drift: [], support: null });
  });
});
