import "server-only";

import type { Certificate, CertScanError } from "@/lib/schemas/certs";
import type { NodesResponse } from "@/lib/schemas/fleet";
import type { Db } from "@/lib/server/platform/db/db";

import type { AlertInputs, BackupFact, DriftFact, RunFact, RunKind, SupportLookup } from "./evaluate";

/**
 * The I/O shell of the evaluator: each source read on its own, a failure logged and turned into
 * null (its rules skip this round; their alerts neither fire nor resolve on missing data).
 */

export interface SourceDeps {
  db: Db;
  /** The fleet snapshot; null while nothing was polled yet (no poller, or before its first sweep). */
  fleet: () => NodesResponse | null;
  /** The certificate inventory's certificates and the scan's errors; null while no scan finished. */
  certificates: () => Promise<{ certificates: Certificate[]; errors: CertScanError[] } | null>;
  /** Talos minors' support (lib/talos/support.ts); null until Minos knows the dates. */
  support: SupportLookup | null;
  now: () => Date;
}

/** Runs neither created nor changed within this are left out, unless live (run-failed's age limit is at most 30 days). */
const RUN_WINDOW_MS = 31 * 86_400_000;
const LIVE = ["pending", "running", "paused", "cancelling", "preflight"];

export async function gatherInputs(deps: SourceDeps): Promise<AlertInputs> {
  const guard = async <T>(name: string, read: () => Promise<T> | T): Promise<T | null> => {
    try {
      return await read();
    } catch (e) {
      console.error(`[minos] alerts: the ${name} source failed; its rules wait for the next round`, e);
      return null;
    }
  };
  const [fleet, inventory, runs, backups, drift] = await Promise.all([
    guard("fleet", () => {
      const s = deps.fleet();
      return s && s.updatedAt !== null ? { nodes: s.nodes, clusters: s.clusters } : null;
    }),
    guard("certificate", deps.certificates),
    guard("runs", () => readRuns(deps.db, deps.now())),
    guard("backups", () => readLatestBackups(deps.db)),
    guard("drift", () => readDrift(deps.db)),
  ]);
  return {
    fleet,
    certificates: inventory?.certificates ?? null,
    certificateScanErrors: (inventory?.errors ?? []).map((e) => ({ cluster: e.cluster, node: e.node })),
    runs,
    backups,
    drift,
    support: deps.support,
  };
}

/** The recent and live runs of every kind, with the nodes of live ones waiting in `drain-blocked`. */
export async function readRuns(db: Db, now: Date): Promise<RunFact[]> {
  const since = new Date(now.getTime() - RUN_WINDOW_MS).toISOString();
  const [plans, k8s, ca, bulk, rollouts, blockedPlans, blockedRollouts] = await Promise.all([
    db
      .selectFrom("upgrade_plans")
      .select(["id", "cluster", "state", "created_at", "finished_at", "reason"])
      .where((eb) => eb.or([eb("created_at", ">=", since), eb("updated_at", ">=", since), eb("state", "in", LIVE)]))
      .execute(),
    db
      .selectFrom("kubernetes_upgrades")
      .select(["id", "cluster", "state", "created_at", "finished_at", "reason"])
      .where((eb) => eb.or([eb("created_at", ">=", since), eb("updated_at", ">=", since), eb("state", "in", LIVE)]))
      .execute(),
    db
      .selectFrom("ca_rotations")
      .select(["id", "cluster", "state", "created_at", "finished_at", "reason"])
      .where((eb) => eb.or([eb("created_at", ">=", since), eb("updated_at", ">=", since), eb("state", "in", LIVE)]))
      .execute(),
    db
      .selectFrom("bulk_runs")
      .select(["id", "cluster", "state", "created_at", "updated_at", "message"])
      .where((eb) => eb.or([eb("created_at", ">=", since), eb("updated_at", ">=", since), eb("state", "in", LIVE)]))
      .execute(),
    db
      .selectFrom("config_rollouts")
      .select(["id", "state", "created_at", "updated_at", "target", "message"])
      .where((eb) => eb.or([eb("created_at", ">=", since), eb("updated_at", ">=", since), eb("state", "in", LIVE)]))
      .execute(),
    db.selectFrom("upgrade_nodes").select(["plan_id", "address", "hostname"]).where("state", "=", "drain-blocked").execute(),
    db.selectFrom("config_rollout_nodes").select(["rollout_id", "node"]).where("state", "=", "drain-blocked").execute(),
  ]);
  const blocked = new Map<string, string[]>();
  for (const n of blockedPlans) blocked.set(`talos-upgrade:${n.plan_id}`, [...(blocked.get(`talos-upgrade:${n.plan_id}`) ?? []), n.hostname ?? n.address]);
  for (const n of blockedRollouts) blocked.set(`config-rollout:${n.rollout_id}`, [...(blocked.get(`config-rollout:${n.rollout_id}`) ?? []), n.node]);
  const fact = (kind: RunKind, r: { id: string; cluster: string; state: string; created_at: string; finished_at: string | null; reason?: string | null }): RunFact => ({
    kind,
    id: r.id,
    cluster: r.cluster,
    // A rollout refused by its preflight failed as much as one that failed midway.
    state: r.state === "preflight-failed" ? "failed" : r.state,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    drainBlocked: blocked.get(`${kind}:${r.id}`) ?? [],
    reason: r.reason ?? null,
  });
  return [
    ...plans.map((r) => fact("talos-upgrade", r)),
    ...k8s.map((r) => fact("kubernetes-upgrade", r)),
    ...ca.map((r) => fact("ca-rotation", r)),
    ...bulk.map((r) => fact("bulk", { ...r, finished_at: r.updated_at, reason: stopReason(r) })),
    ...rollouts.flatMap((r) => {
      const cluster = rolloutCluster(r.target);
      return cluster === null ? [] : [fact("config-rollout", { ...r, cluster, finished_at: r.updated_at, reason: stopReason(r) })];
    }),
  ];
}

/** Bulk runs and rollouts keep a running message; it says why only once they stopped ("Paused by …", a failure). */
function stopReason(r: { state: string; message: string }): string | null {
  return ["paused", "failed", "preflight-failed"].includes(r.state) && r.message ? r.message : null;
}

/** A rollout's target is JSON with its `cluster` (rolloutTargetSchema). */
function rolloutCluster(target: string): string | null {
  try {
    const t = JSON.parse(target) as { cluster?: unknown };
    return typeof t.cluster === "string" ? t.cluster : null;
  } catch {
    return null;
  }
}

/** Each cluster's latest finished backup (a running one neither fails nor clears the alert). */
export async function readLatestBackups(db: Db): Promise<BackupFact[]> {
  const rows = await db.selectFrom("etcd_backups").select(["id", "cluster", "state", "error", "started_at"]).where("state", "<>", "running").orderBy("started_at", "desc").execute();
  const latest = new Map<string, BackupFact>();
  for (const r of rows) {
    if (!latest.has(r.cluster)) latest.set(r.cluster, { id: r.id, cluster: r.cluster, state: r.state as BackupFact["state"], error: r.error, startedAt: r.started_at });
  }
  return [...latest.values()];
}

/** Nodes whose last drift check found their running config changed. */
export async function readDrift(db: Db): Promise<DriftFact[]> {
  const rows = await db.selectFrom("config_drift").select(["node", "checked_at"]).where("drifted", "=", 1).execute();
  return rows.map((r) => ({ node: r.node, checkedAt: r.checked_at }));
}
