import "server-only";

import { sql } from "kysely";

import { dialectOf, type Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";

/**
 * One kind of cluster-wide run at a time: a Kubernetes upgrade patches every node's config and
 * restarts its control plane, a Talos upgrade reboots the nodes one by one, a config rollout
 * applies configs (and may reboot). Interleaved, one run's health gate fails on the other's
 * restart and both write the same machine configs. Each kind still keeps its own "one live per
 * cluster" check; this is the check across kinds.
 */
export type ClusterRunKind = "talos-upgrade" | "kubernetes-upgrade" | "config-rollout" | "bulk" | "ca-rotation";

export interface LiveClusterRun {
  kind: ClusterRunKind;
  id: string;
  state: string;
}

// The live states of each kind (their runners' LIVE_STATES; rollouts: rolloutStateSchema's unfinished ones).
const PLAN_LIVE = ["pending", "running", "paused", "cancelling"];
const ROLLOUT_LIVE = ["preflight", "running", "paused"];

const LABEL: Record<ClusterRunKind, string> = {
  "talos-upgrade": "a Talos upgrade",
  "kubernetes-upgrade": "a Kubernetes upgrade",
  "config-rollout": "a config rollout",
  bulk: "a bulk action",
  "ca-rotation": "a CA rotation",
};
const BULK_LIVE = ["running", "paused"];

/**
 * The live runs of other kinds than `starting` that touch the cluster, oldest first per kind;
 * `starting` null: every live run (a single-node action, which is no run of its own).
 */
export async function liveRunsBeside(db: Db, cluster: string, starting: ClusterRunKind | null): Promise<LiveClusterRun[]> {
  const out: LiveClusterRun[] = [];
  if (starting !== "talos-upgrade") {
    const rows = await db.selectFrom("upgrade_plans").select(["id", "state"]).where("cluster", "=", cluster).where("state", "in", PLAN_LIVE).orderBy("created_at").execute();
    out.push(...rows.map((r) => ({ kind: "talos-upgrade" as const, id: r.id, state: r.state })));
  }
  if (starting !== "kubernetes-upgrade") {
    const rows = await db.selectFrom("kubernetes_upgrades").select(["id", "state"]).where("cluster", "=", cluster).where("state", "in", PLAN_LIVE).orderBy("created_at").execute();
    out.push(...rows.map((r) => ({ kind: "kubernetes-upgrade" as const, id: r.id, state: r.state })));
  }
  if (starting !== "ca-rotation") {
    // A CA rotation patches every node's machine.ca / cluster.ca and changes the credentials the others talk with.
    const rows = await db.selectFrom("ca_rotations").select(["id", "state"]).where("cluster", "=", cluster).where("state", "in", PLAN_LIVE).orderBy("created_at").execute();
    out.push(...rows.map((r) => ({ kind: "ca-rotation" as const, id: r.id, state: r.state })));
  }
  if (starting !== "config-rollout") {
    // A rollout names nodes (`address@cluster`), not a cluster; filtered here, not with LIKE (a cluster name may hold % or _).
    const rows = await db
      .selectFrom("config_rollouts as r")
      .innerJoin("config_rollout_nodes as n", "n.rollout_id", "r.id")
      .select(["r.id", "r.state", "n.node"])
      .where("r.state", "in", ROLLOUT_LIVE)
      .orderBy("r.created_at")
      .execute();
    const seen = new Set<string>();
    for (const r of rows) {
      if (!r.node.endsWith(`@${cluster}`) || seen.has(r.id)) continue;
      seen.add(r.id);
      out.push({ kind: "config-rollout", id: r.id, state: r.state });
    }
  }
  if (starting !== "bulk") {
    const rows = await db.selectFrom("bulk_runs").select(["id", "state"]).where("cluster", "=", cluster).where("state", "in", BULK_LIVE).orderBy("created_at").execute();
    out.push(...rows.map((r) => ({ kind: "bulk" as const, id: r.id, state: r.state })));
  }
  return out;
}

/**
 * Refuses (409 conflict, naming the other run) to start a run of `starting` on a cluster while a
 * run of another kind is live there. Called inside the transaction that inserts the new run: on
 * Postgres it first takes the cluster's run lock, shared by all three kinds, so two replicas
 * starting different kinds at once are serialised (SQLite has one writer anyway).
 */
export async function refuseBesideLiveRuns(trx: Db, cluster: string, starting: ClusterRunKind): Promise<void> {
  if (dialectOf(trx) === "postgres") await sql`SELECT pg_advisory_xact_lock(hashtext(${`minos:cluster-run:${cluster}`}))`.execute(trx);
  const other = (await liveRunsBeside(trx, cluster, starting))[0];
  if (!other) return;
  throw new AppError("conflict", `Cluster "${cluster}" has ${LABEL[other.kind]} in progress (${other.id}, ${other.state}); wait for it to finish or cancel it before starting ${LABEL[starting]}`, {
    details: { cluster, kind: other.kind, id: other.id, state: other.state },
  });
}

/** How a run kind reads in a sentence ("a Talos upgrade"). */
export function clusterRunLabel(kind: ClusterRunKind): string {
  return LABEL[kind];
}
