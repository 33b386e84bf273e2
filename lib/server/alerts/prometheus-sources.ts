import "server-only";

import type { Registry } from "prom-client";

import { parseNodeId } from "@/lib/fleet/node-id";
import type { NodesResponse } from "@/lib/schemas/fleet";
import { getDb, type Db } from "@/lib/server/platform/db/db";

import { registerAlertSourceMetrics, type BackupLike, type DriftLike, type RunLike } from "./prometheus-metrics";

/**
 * The I/O shell of the alert-source metrics: reads the store at scrape time. Only the recent runs
 * of each kind matter (the latest per cluster and kind, and the live ones), so each read is
 * bounded.
 */

/** Recent runs read per kind: enough to hold the latest of every cluster and every live one. */
const RECENT_RUNS = 500;
const LIVE = ["pending", "preflight", "running", "paused", "cancelling"];

/** The recent and live runs of every kind, with the nodes whose drain waits for a person. */
export async function readRuns(db: Db): Promise<RunLike[]> {
  const out: RunLike[] = [];
  const plain = async (table: "upgrade_plans" | "kubernetes_upgrades" | "ca_rotations", kind: string) => {
    const rows = await db.selectFrom(table).select(["id", "cluster", "state", "created_at", "finished_at"]).orderBy("created_at", "desc").limit(RECENT_RUNS).execute();
    return rows.map((r) => ({ id: r.id, kind, cluster: r.cluster, state: r.state, createdAt: r.created_at, finishedAt: r.finished_at, drainBlocked: [] as string[] }));
  };
  const upgrades = await plain("upgrade_plans", "talos-upgrade");
  const liveIds = upgrades.filter((u) => LIVE.includes(u.state)).map((u) => u.id);
  if (liveIds.length > 0) {
    const blocked = await db.selectFrom("upgrade_nodes").select(["plan_id", "node_id"]).where("plan_id", "in", liveIds).where("state", "=", "drain-blocked").execute();
    for (const b of blocked) upgrades.find((u) => u.id === b.plan_id)?.drainBlocked.push(b.node_id);
  }
  out.push(...upgrades, ...(await plain("kubernetes_upgrades", "kubernetes-upgrade")), ...(await plain("ca_rotations", "ca-rotation")));

  const bulk = await db.selectFrom("bulk_runs").select(["cluster", "state", "created_at", "updated_at"]).orderBy("created_at", "desc").limit(RECENT_RUNS).execute();
  // A bulk run has no finish time of its own; its last update is when it stopped.
  out.push(...bulk.map((r) => ({ kind: "bulk", cluster: r.cluster, state: r.state, createdAt: r.created_at, finishedAt: TERMINAL_BULK.has(r.state) ? r.updated_at : null, drainBlocked: [] })));

  // A rollout names nodes (`address@cluster`), not a cluster: it counts on each cluster it touches.
  const rollouts = await db.selectFrom("config_rollouts").select(["id", "state", "created_at", "updated_at"]).orderBy("created_at", "desc").limit(RECENT_RUNS).execute();
  if (rollouts.length > 0) {
    const nodes = await db.selectFrom("config_rollout_nodes").select(["rollout_id", "node", "state"]).where("rollout_id", "in", rollouts.map((r) => r.id)).execute();
    for (const r of rollouts) {
      const mine = nodes.filter((n) => n.rollout_id === r.id);
      const clusters = new Set(mine.map((n) => parseNodeId(n.node)?.cluster).filter((c): c is string => c !== undefined));
      for (const cluster of clusters) {
        const drainBlocked = mine.filter((n) => n.state === "drain-blocked" && parseNodeId(n.node)?.cluster === cluster).map((n) => n.node);
        out.push({ kind: "config-rollout", cluster, state: r.state, createdAt: r.created_at, finishedAt: LIVE.includes(r.state) ? null : r.updated_at, drainBlocked });
      }
    }
  }
  return out;
}

const TERMINAL_BULK = new Set(["done", "failed", "cancelled"]);

/** The latest backup of each cluster. */
export async function readLatestBackups(db: Db): Promise<BackupLike[]> {
  const latest = await db.selectFrom("etcd_backups").select(["cluster", (eb) => eb.fn.max("started_at").as("started_at")]).groupBy("cluster").execute();
  const out: BackupLike[] = [];
  for (const l of latest) {
    if (l.started_at === null) continue;
    const rows = await db.selectFrom("etcd_backups").select(["cluster", "state", "started_at"]).where("cluster", "=", l.cluster).where("started_at", "=", l.started_at).execute();
    // Two backups started in the same millisecond: a failed one among them counts.
    const row = rows.find((r) => r.state === "failed") ?? rows[0];
    if (row) out.push({ cluster: row.cluster, state: row.state, startedAt: row.started_at });
  }
  return out;
}

/** The stored drift verdicts (the drift checker's last pass, as listStoredDrift reads them, without the diffs). */
export async function readDrift(db: Db): Promise<DriftLike[]> {
  const rows = await db.selectFrom("config_drift").select(["node", "drifted"]).execute();
  return rows.map((r) => ({ node: r.node, drifted: r.drifted === null ? null : r.drifted === 1 }));
}

/**
 * Registers the alert-source gauges over the process's store and `fleet` (the poller's snapshot;
 * passed in because lib/server/fleet imports this folder's SSE topics).
 */
export function registerDefaultAlertSourceMetrics(registry: Registry, fleet: () => NodesResponse | null): void {
  registerAlertSourceMetrics(
    registry,
    {
      fleet,
      runs: () => readRuns(getDb()),
      backups: () => readLatestBackups(getDb()),
      drift: () => readDrift(getDb()),
      now: () => new Date(),
    },
    // The message only: a store error's text names no secret, but its full object may carry the query's parameters.
    (source, err) => console.warn(`[minos] alert metrics: the ${source} source failed; its gauges are empty this scrape: ${err instanceof Error ? err.message : String(err)}`),
  );
}
