import { describe, expect, it } from "vitest";

import type { Db } from "@/lib/server/platform/db/db";
import { testDb } from "@/test/db";

import { liveRunsBeside, refuseBesideLiveRuns } from "./cluster-runs";

const at = "2026-01-01T00:00:00.000Z";

async function talosUpgrade(db: Db, id: string, cluster: string, state: string) {
  await db
    .insertInto("upgrade_plans")
    .values({ id, cluster, target_version: "v1.13.2", image: "ghcr.io/siderolabs/installer:v1.13.2", strategy: "{}", state, reason: null, actor: "user:ada", checks: "[]", batches: "[]", etcd_members: null, created_at: at, started_at: null, finished_at: null, updated_at: at })
    .execute();
}
async function kubeUpgrade(db: Db, id: string, cluster: string, state: string) {
  await db
    .insertInto("kubernetes_upgrades")
    .values({ id, cluster, from_version: "1.33.4", to_version: "1.34.1", options: "{}", manifests_sync: "server-side-apply", state, reason: null, actor: "user:ada", checks: "[]", manifest_revision: null, created_at: at, started_at: null, finished_at: null, updated_at: at })
    .execute();
}
async function rollout(db: Db, id: string, nodes: string[], state: string) {
  await db
    .insertInto("config_rollouts")
    .values({ id, state, author: "user:ada", created_at: at, updated_at: at, target: "{}", mode: "auto", concurrency: 1, continue_on_failure: 0, config_hash: "h", redacted_yaml: "", message: "", manifest_revision: null })
    .execute();
  for (const [i, node] of nodes.entries()) {
    await db
      .insertInto("config_rollout_nodes")
      .values({ rollout_id: id, node, position: i, role: "worker", state: "pending", message: "", mode: null, config_hash: null, config_sealed: null, key_id: null, boot_before: null, expected_running_hash: null, revision_id: null, started_at: null, finished_at: null })
      .execute();
  }
}

describe("one kind of cluster-wide run at a time", () => {
  it("refuses a Kubernetes upgrade beside a live Talos upgrade or config rollout of the cluster, naming it (409)", async () => {
    const db = await testDb();
    await talosUpgrade(db, "u-1", "prod", "paused");
    await expect(refuseBesideLiveRuns(db, "prod", "kubernetes-upgrade")).rejects.toMatchObject({
      code: "conflict",
      message: 'Cluster "prod" has a Talos upgrade in progress (u-1, paused); wait for it to finish or cancel it before starting a Kubernetes upgrade',
      details: { cluster: "prod", kind: "talos-upgrade", id: "u-1", state: "paused" },
    });
    // Another cluster, and the same kind (each runner keeps its own one-live check), are not this check's.
    await expect(refuseBesideLiveRuns(db, "staging", "kubernetes-upgrade")).resolves.toBeUndefined();
    await expect(refuseBesideLiveRuns(db, "prod", "talos-upgrade")).resolves.toBeUndefined();

    const db2 = await testDb();
    await rollout(db2, "r-1", ["10.0.0.2@prod", "10.0.0.3@prod"], "running");
    await rollout(db2, "r-2", ["10.0.0.9@prod-2"], "running");
    await expect(refuseBesideLiveRuns(db2, "prod", "kubernetes-upgrade")).rejects.toMatchObject({ code: "conflict", details: { kind: "config-rollout", id: "r-1" } });
    // "prod" must not match a node of "prod-2" (nor the other way round).
    expect(await liveRunsBeside(db2, "prod-2", "kubernetes-upgrade")).toEqual([{ kind: "config-rollout", id: "r-2", state: "running" }]);
  });

  it("refuses a Talos upgrade or a config rollout beside a live Kubernetes upgrade; finished runs do not count", async () => {
    const db = await testDb();
    await kubeUpgrade(db, "k-old", "prod", "succeeded");
    await rollout(db, "r-old", ["10.0.0.2@prod"], "done");
    await talosUpgrade(db, "u-old", "prod", "cancelled");
    expect(await liveRunsBeside(db, "prod", "talos-upgrade")).toEqual([]);
    expect(await liveRunsBeside(db, "prod", "config-rollout")).toEqual([]);
    await kubeUpgrade(db, "k-1", "prod", "running");
    for (const kind of ["talos-upgrade", "config-rollout"] as const) {
      await expect(refuseBesideLiveRuns(db, "prod", kind)).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("has a Kubernetes upgrade in progress (k-1, running)") });
    }
  });
});
