import "server-only";

import type { AdoptDriftResponse, ApplyResponse, DriftResponse } from "@/lib/schemas/configs";
import { parseNodeId } from "@/lib/fleet/node-id";
import { recordAudit } from "@/lib/server/platform/audit";
import { applyNodeConfig, type ApplyRequest } from "@/lib/server/configs/apply";
import { defaultConfigDeps, type ConfigDeps } from "@/lib/server/configs/deps";
import { applyInFlight } from "@/lib/server/configs/in-flight";
import { configHash } from "@/lib/server/configs/modes";
import { dialectOf, getDb, type Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import { LeaseSet } from "@/lib/server/platform/lease-set";
import { LeaseLostError } from "@/lib/server/platform/leases";
import { processState } from "@/lib/server/platform/process-state";
import { replicaId } from "@/lib/server/platform/replica";
import { validationPool } from "@/lib/server/validation/pool";
import { realClock, type Clock } from "@/lib/utils/clock";

/** Runs a write as one transaction: a plain one, or the checker's lease-fenced one. */
type Write = <T>(fn: (trx: Db) => Promise<T>) => Promise<T>;

/**
 * Compares a node's config with the last one Minos put there (a staged revision is compared
 * with the node's persisted config, since it is not running yet) and stores the verdict.
 * `drifted: null` when Minos has no revision for the node.
 */
export async function checkDrift(deps: ConfigDeps, node: string, write?: Write): Promise<DriftResponse> {
  const { cluster, address } = await deps.resolveNode(node);
  await deps.revisions.settleExpiredTries(node, deps.now());
  const baseline = await deps.revisions.lastEffective(node);
  const client = await deps.client(cluster);
  const current = (await client.machineConfig(address, baseline?.result === "staged" ? { id: "persistent" } : {})).yaml;
  const runningHash = configHash(current);
  let response: DriftResponse;
  if (!baseline) {
    response = { node, drifted: null, diff: "", changedSecrets: [], runningHash, revisionId: null, revisionHash: null, checkedAt: deps.now().toISOString() };
  } else {
    const drifted = runningHash !== baseline.configHash;
    // Off the event loop: a line diff of two large configs is costly (lib/server/validation).
    const d = drifted ? await validationPool().redactedDiff(await deps.revisions.config(node, baseline.id), current, { from: `minos (revision ${baseline.id})`, to: "running" }) : null;
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
  await (write ?? ((fn) => deps.db.transaction().execute(fn)))((trx) => storeDrift(trx, response));
  return response;
}

/** The verdict, and an audit entry when a node newly drifted (the previous verdict read under the same lock). */
async function storeDrift(trx: Db, r: DriftResponse): Promise<void> {
  const before = await trx
    .selectFrom("config_drift")
    .select("drifted")
    .where("node", "=", r.node)
    .$if(dialectOf(trx) === "postgres", (q) => q.forUpdate())
    .executeTakeFirst();
  const row = {
    checked_at: r.checkedAt,
    drifted: r.drifted === null ? null : Number(r.drifted),
    running_hash: r.runningHash,
    revision_id: r.revisionId,
    revision_hash: r.revisionHash,
    diff: r.diff,
    changed_secrets: JSON.stringify(r.changedSecrets),
  };
  await trx
    .insertInto("config_drift")
    .values({ node: r.node, ...row })
    .onConflict((oc) => oc.column("node").doUpdateSet(row))
    .execute();
  if (r.drifted && before?.drifted !== 1) {
    await recordAudit(trx, { actor: "system", action: "config.drift.detected", target: r.node, result: "ok", details: { revision: r.revisionId, runningHash: r.runningHash } });
  }
}

/** The last stored verdict per node (what the periodic checker found), for fleet-wide views. */
export async function listStoredDrift(deps: ConfigDeps): Promise<DriftResponse[]> {
  const rows = await deps.db.selectFrom("config_drift").selectAll().orderBy("node").execute();
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
  const revision = await deps.revisions.insert({
    node,
    author: actor,
    at: deps.now(),
    mode: null,
    result: "applied",
    source: "adopt",
    message: "Adopted the running config (changed outside Minos)",
    yaml: running,
  });
  await recordAudit(deps.db, { actor, action: "config.adopt", target: node, result: "ok", details: { revision: revision.id, configHash: revision.configHash } });
  await checkDrift(deps, node);
  return { node, revision };
}

/** Puts Minos's last revision back on the node, through the normal preflight → apply path. */
export async function reapplyDrift(deps: ConfigDeps, node: string, req: Omit<ApplyRequest, "yaml">, actor: string): Promise<ApplyResponse> {
  await deps.resolveNode(node);
  const baseline = await deps.revisions.lastEffective(node);
  if (!baseline) throw new AppError("not_found", `Minos has never applied a config to ${node}: there is nothing to re-apply`);
  const result = await applyNodeConfig(deps, node, { ...req, yaml: await deps.revisions.config(node, baseline.id) }, { actor, source: "reapply" });
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
  /** The lease owner (this replica); default {@link replicaId}. */
  owner?: string;
  clock?: Clock;
  /** Lease timing (tests); default the platform's. */
  leaseTtlMs?: number;
  leaseRenewMs?: number;
}

/** Every node Minos has a revision for, by cluster (the node ID names it). */
export async function driftNodesByCluster(db: Db): Promise<Map<string, string[]>> {
  const rows = await db.selectFrom("config_revisions").select("node").distinct().orderBy("node").execute();
  const out = new Map<string, string[]>();
  for (const { node } of rows) {
    const cluster = parseNodeId(node)?.cluster;
    if (cluster !== undefined) out.set(cluster, [...(out.get(cluster) ?? []), node]);
  }
  return out;
}

/**
 * One pass over every node Minos has a revision for (or those of `clusters`), skipping nodes
 * with an apply in flight and clusters whose credentials are not admin (reading a machine
 * config needs os:admin). `writeFor` gives the transaction each cluster's verdicts are written
 * in (the checker's lease-fenced one).
 */
export async function checkAllDrift(
  deps: ConfigDeps,
  concurrency = 4,
  opts: { clusters?: ReadonlySet<string>; writeFor?: (cluster: string) => Write | undefined } = {},
): Promise<DriftResponse[]> {
  const byCluster = await driftNodesByCluster(deps.db);
  const nodes = [...byCluster].filter(([c]) => !opts.clusters || opts.clusters.has(c)).flatMap(([, n]) => n);
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
      out.push(await checkDrift(deps, node, opts.writeFor?.(cluster)));
    } catch {
      // An unreachable or removed node is the fleet poller's news, not drift (and a lost lease is the next pass's).
    }
  });
  return out;
}

export interface DriftChecker {
  stop(): Promise<void>;
  /** Runs one pass now (tests): takes or gives back clusters, then checks those this replica holds. */
  runOnce(): Promise<DriftResponse[]>;
  /** Clusters whose drift this replica checks now. */
  clusters(): string[];
}

const g = processState<{ __minosDriftChecker?: DriftChecker }>();

/**
 * Starts the periodic drift check (every ~60 s, a few nodes at a time) once per process.
 * Returns a handle whose `stop()` ends it. Called from instrumentation.
 */
export function startDriftChecker(options: DriftCheckerOptions = {}): DriftChecker {
  if (g.__minosDriftChecker) return g.__minosDriftChecker;
  const checker = createDriftChecker(options);
  g.__minosDriftChecker = checker;
  const stop = checker.stop;
  checker.stop = async () => {
    if (g.__minosDriftChecker === checker) g.__minosDriftChecker = undefined;
    await stop();
  };
  return checker;
}

/**
 * A drift checker (tests run several, as replicas). Clusters are shared out among the replicas
 * through leases `drift:<cluster>` (LeaseSet: each checked by one replica, spread evenly, a dead
 * replica's taken over when its lease expires); a pass checks the clusters this replica holds
 * and writes their verdicts fenced by the cluster's lease.
 */
export function createDriftChecker(options: DriftCheckerOptions = {}): DriftChecker {
  const intervalMs = options.intervalMs ?? 60_000;
  const clock = options.clock ?? realClock;
  const deps = () => options.deps ?? defaultConfigDeps();
  // The clusters to share, refreshed by each pass: the lease scan (every 1.5 s) reads this list
  // instead of the revisions table.
  let clusters: string[] = [];
  const owner = options.owner ?? replicaId();
  const leases = new LeaseSet(options.deps?.db ?? getDb(), {
    prefix: "drift:",
    owner,
    items: () => clusters,
    // A pass reads the owned clusters when it starts; nothing runs between passes.
    onAcquired: () => undefined,
    onReleased: () => undefined,
    clock,
    ...(options.leaseTtlMs !== undefined ? { ttlMs: options.leaseTtlMs } : {}),
    ...(options.leaseRenewMs !== undefined ? { renewMs: options.leaseRenewMs } : {}),
  });
  let timer: unknown;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();

  const pass = async (): Promise<DriftResponse[]> => {
    const d = deps();
    clusters = [...(await driftNodesByCluster(d.db)).keys()];
    await leases.scanNow();
    const owned = leases.owned();
    if (stopped || owned.length === 0) return [];
    const lost = new Set<string>();
    const writeFor = (cluster: string): Write => async (fn) => {
      const h = leases.lease(cluster);
      // Dropped since the pass began (a renewal found it taken): another replica checks it now,
      // and an unfenced write could overwrite its newer verdict.
      if (!h) {
        lost.add(cluster);
        throw new LeaseLostError({ name: `drift:${cluster}`, owner, fence: 0 });
      }
      try {
        return await h.fenced(fn);
      } catch (e) {
        if (e instanceof LeaseLostError) lost.add(cluster);
        throw e;
      }
    };
    const out = await checkAllDrift(d, options.concurrency ?? 4, { clusters: new Set(owned), writeFor });
    // Another replica checks these now (this one was paused or cut off past its lease): their verdicts were not stored.
    return out.filter((v) => !lost.has(parseNodeId(v.node)?.cluster ?? ""));
  };
  const runOnce = () => {
    const run = running.then(pass);
    running = run.catch(() => undefined);
    return run;
  };
  const tick = async () => {
    try {
      await runOnce();
    } catch (e) {
      console.error("[minos] drift check failed", e);
    }
    if (!stopped) timer = clock.setTimeout(() => void tick(), intervalMs);
  };
  timer = clock.setTimeout(() => void tick(), Math.min(intervalMs, 10_000));
  leases.start();
  return {
    runOnce,
    clusters: () => leases.owned(),
    async stop() {
      stopped = true;
      clock.clearTimeout(timer);
      await running;
      await leases.stop();
    },
  };
}
