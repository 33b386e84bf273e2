import "server-only";

import type { AdoptDriftResponse, ApplyMode, ApplyResponse, DriftResponse } from "@/lib/schemas/configs";
import { recordAudit } from "@/lib/server/platform/audit-legacy";
import { applyNodeConfig } from "@/lib/server/configs/apply";
import { defaultConfigDeps, type ConfigDeps } from "@/lib/server/configs/deps";
import { applyInFlight } from "@/lib/server/configs/in-flight";
import { configHash } from "@/lib/server/configs/modes";
import { AppError } from "@/lib/server/platform/errors";
import { validationPool } from "@/lib/server/validation/pool";
import { processState } from "@/lib/server/platform/process-state";

/**
 * Compares a node's config with the last one Minos put there (a staged revision is compared
 * with the node's persisted config, since it is not running yet) and stores the verdict.
 * `drifted: null` when Minos has no revision for the node.
 */
export async function checkDrift(deps: ConfigDeps, node: string): Promise<DriftResponse> {
  const { cluster, address } = await deps.resolveNode(node);
  deps.revisions.settleExpiredTries(node, deps.now());
  const baseline = deps.revisions.lastEffective(node);
  const client = await deps.client(cluster);
  const current = (await client.machineConfig(address, baseline?.result === "staged" ? { id: "persistent" } : {})).yaml;
  const runningHash = configHash(current);
  let response: DriftResponse;
  if (!baseline) {
    response = { node, drifted: null, diff: "", changedSecrets: [], runningHash, revisionId: null, revisionHash: null, checkedAt: deps.now().toISOString() };
  } else {
    const drifted = runningHash !== baseline.configHash;
    // Off the event loop: a line diff of two large configs is costly (lib/server/validation).
    const d = drifted ? await validationPool().redactedDiff(deps.revisions.config(node, baseline.id), current, { from: `minos (revision ${baseline.id})`, to: "running" }) : null;
    response = {
      node,
      drifted,
      diff: d?.diff ?? "",
      changedSecrets: d?.changedSecrets ?? [],
      runningHash,
      revisionId: baseline.id,
      revisionHash: baseline.configHash,
      checkedAt: deps.now().toISOString(),
    };
  }
  storeDrift(deps, response);
  return response;
}

function storeDrift(deps: ConfigDeps, r: DriftResponse): void {
  const before = deps.db.prepare("SELECT drifted FROM config_drift WHERE node = ?").pluck().get(r.node) as number | null | undefined;
  deps.db
    .prepare(
      `INSERT INTO config_drift (node, checked_at, drifted, running_hash, revision_id, revision_hash, diff, changed_secrets) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (node) DO UPDATE SET checked_at = excluded.checked_at, drifted = excluded.drifted, running_hash = excluded.running_hash,
         revision_id = excluded.revision_id, revision_hash = excluded.revision_hash, diff = excluded.diff, changed_secrets = excluded.changed_secrets`,
    )
    .run(r.node, r.checkedAt, r.drifted === null ? null : Number(r.drifted), r.runningHash, r.revisionId, r.revisionHash, r.diff, JSON.stringify(r.changedSecrets));
  if (r.drifted && before !== 1) {
    recordAudit(deps.db, { actor: "system", action: "config.drift.detected", target: r.node, result: "ok", details: { revision: r.revisionId, runningHash: r.runningHash } });
  }
}

/** The last stored verdict per node (what the periodic checker found), for fleet-wide views. */
export function listStoredDrift(deps: ConfigDeps): DriftResponse[] {
  const rows = deps.db.prepare("SELECT * FROM config_drift ORDER BY node").all() as {
    node: string;
    checked_at: string;
    drifted: number | null;
    running_hash: string;
    revision_id: number | null;
    revision_hash: string | null;
    diff: string;
    changed_secrets: string;
  }[];
  return rows.map((r) => ({
    node: r.node,
    drifted: r.drifted === null ? null : r.drifted === 1,
    diff: r.diff,
    changedSecrets: JSON.parse(r.changed_secrets) as string[],
    runningHash: r.running_hash,
    revisionId: r.revision_id,
    revisionHash: r.revision_hash,
    checkedAt: r.checked_at,
  }));
}

/** Accepts what is running as the latest revision ("changed outside Minos, and that is fine"). */
export async function adoptDrift(deps: ConfigDeps, node: string, actor: string): Promise<AdoptDriftResponse> {
  const { cluster, address } = await deps.resolveNode(node);
  const running = (await (await deps.client(cluster)).machineConfig(address)).yaml;
  const revision = deps.revisions.insert({
    node,
    author: actor,
    at: deps.now(),
    mode: null,
    result: "applied",
    source: "adopt",
    message: "Adopted the running config (changed outside Minos)",
    yaml: running,
  });
  recordAudit(deps.db, { actor, action: "config.adopt", target: node, result: "ok", details: { revision: revision.id, configHash: revision.configHash } });
  await checkDrift(deps, node);
  return { node, revision };
}

/** Puts Minos's last revision back on the node, through the normal preflight → apply path. */
export async function reapplyDrift(deps: ConfigDeps, node: string, req: { mode: ApplyMode; tryTimeoutSeconds?: number }, actor: string): Promise<ApplyResponse> {
  await deps.resolveNode(node);
  const baseline = deps.revisions.lastEffective(node);
  if (!baseline) throw new AppError("not_found", `Minos has never applied a config to ${node}: there is nothing to re-apply`);
  const result = await applyNodeConfig(deps, node, { ...req, yaml: deps.revisions.config(node, baseline.id) }, { actor, source: "reapply" });
  await checkDrift(deps, node).catch(() => undefined);
  return result;
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export interface DriftCheckerOptions {
  intervalMs?: number;
  concurrency?: number;
  deps?: ConfigDeps;
}

/**
 * One pass over every node Minos has a revision for, skipping nodes with an apply in flight and
 * clusters whose credentials are not admin (reading a machine config needs os:admin).
 */
export async function checkAllDrift(deps: ConfigDeps, concurrency = 4): Promise<DriftResponse[]> {
  const nodes = deps.db.prepare("SELECT DISTINCT node FROM config_revisions ORDER BY node").pluck().all() as string[];
  const adminByCluster = new Map<string, boolean>();
  const out: DriftResponse[] = [];
  await eachLimited(nodes, concurrency, async (node) => {
    if (applyInFlight(node) !== undefined) return;
    try {
      const { cluster } = await deps.resolveNode(node);
      if (!adminByCluster.has(cluster)) {
        adminByCluster.set(cluster, await deps.canReadConfigs(cluster).catch(() => false));
      }
      if (!adminByCluster.get(cluster)) return;
      out.push(await checkDrift(deps, node));
    } catch {
      // An unreachable or removed node is the fleet poller's news, not drift.
    }
  });
  return out;
}

const g = processState<{ __minosDriftChecker?: { stop(): void } }>();

/**
 * Starts the periodic drift check (every ~60 s, a few nodes at a time) once per process.
 * Returns a handle whose `stop()` ends it. Called from instrumentation.
 */
export function startDriftChecker(options: DriftCheckerOptions = {}): { stop(): void } {
  if (g.__minosDriftChecker) return g.__minosDriftChecker;
  const intervalMs = options.intervalMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      await checkAllDrift(options.deps ?? defaultConfigDeps(), options.concurrency ?? 4);
    } catch (e) {
      console.error("[minos] drift check failed", e);
    }
    if (!stopped) timer = setTimeout(tick, intervalMs).unref();
  };
  timer = setTimeout(tick, Math.min(intervalMs, 10_000)).unref();
  const handle = {
    stop() {
      stopped = true;
      clearTimeout(timer);
      g.__minosDriftChecker = undefined;
    },
  };
  g.__minosDriftChecker = handle;
  return handle;
}
