import "server-only";

import { DEFAULT_DRAIN_POLICY, type DrainPolicy } from "@/lib/schemas/kubernetes";
import { type DrainAction, type NodeDrain, overrideOfAction } from "@/lib/schemas/drain";
import { randomBytes } from "node:crypto";

import { redactConfig } from "@/lib/config/redact";
import { selectNodes, unknownNodeNames, type SelectableNode } from "@/lib/fleet/select";
import { rolloutSchema, type ApplyMode, type CreateRolloutBody, type RolloutAction, type RolloutDetail, type RolloutListResponse, type RolloutTarget } from "@/lib/schemas/configs";
import { recordAudit } from "@/lib/server/platform/audit";
import type { ConfigDeps } from "@/lib/server/configs/deps";
import { configHash } from "@/lib/server/configs/modes";
import { runPreflight } from "@/lib/server/configs/preflight";
import { orderTargets } from "@/lib/server/configs/rollouts/plan";
import { publicRollout, RolloutRepository } from "@/lib/server/configs/rollouts/repo";
import { rolloutLease, startRolloutRunner, type RolloutRunner } from "@/lib/server/configs/rollouts/runner";
import type { Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import { refuseBesideLiveRuns } from "@/lib/server/platform/cluster-runs";
import { holdLease } from "@/lib/server/platform/leases";
import { replicaId } from "@/lib/server/platform/replica";
import { resourceKinds } from "@/lib/server/talos";

type CreateRollout = Required<Pick<CreateRolloutBody, "yaml" | "target">> & {
  mode: NonNullable<CreateRolloutBody["mode"]>;
  concurrency: number;
  continueOnFailure: boolean;
  /** strategy.drain; default the shared default policy. */
  strategy?: { drain: DrainPolicy };
};

const PREFLIGHT_CONCURRENCY = 4;

type FleetNodeFacts = SelectableNode & { id: string; cluster: string };

const newRolloutId = (now: Date) => `ro-${now.toISOString().slice(0, 10).replaceAll("-", "")}-${randomBytes(4).toString("hex")}`;

/** Which runner drives the rollout: the process's own by default, `null` to leave it to a later kick. */
export interface RunnerChoice {
  runner?: RolloutRunner | null;
}

const runnerOf = (opts: RunnerChoice) => (opts.runner === undefined ? startRolloutRunner() : opts.runner);

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The rollout's nodes with their roles, read from each node (MachineType), picked by the target
 * selector (lib/fleet/select.ts). A node that does not answer stays a target when it is named or
 * picked by role (its failing preflight then stops the rollout and says why). Hostnames and
 * versions are read only when the target selects by them.
 */
async function resolveTargets(deps: ConfigDeps, target: RolloutTarget): Promise<{ id: string; role: "controlplane" | "worker" }[]> {
  const addresses = await deps.clusterNodes(target.cluster);
  const ids = addresses.map((a) => `${a}@${target.cluster}`);
  const byName = target.nodes?.some((n) => !ids.includes(n)) ?? false;
  const needsHostname = target.hostname !== undefined || byName;
  const client = await deps.client(target.cluster);
  const out: FleetNodeFacts[] = [];
  await eachLimited(addresses, PREFLIGHT_CONCURRENCY, async (address) => {
    let role: "controlplane" | "worker";
    try {
      const t = (await client.getResource(address, resourceKinds.machineType)).spec;
      role = t === "worker" ? "worker" : "controlplane";
    } catch {
      // Unknown: its preflight will fail (the same call path) and stop the rollout either way.
      role = "worker";
    }
    const hostname = needsHostname ? await client.hostname(address).catch(() => null) : null;
    const talosVersion = target.talosVersion !== undefined ? await client.version(address).then((v) => v.tag, () => null) : null;
    out.push({ id: `${address}@${target.cluster}`, cluster: target.cluster, address, hostname, role, talosVersion });
  });
  // Keep the talosconfig order within each role, whatever order the lookups finished in.
  const byId = new Map(out.map((n) => [n.id, n]));
  const nodes = ids.map((id) => byId.get(id)!);
  const unknown = unknownNodeNames(target, nodes);
  if (unknown.length > 0) throw new AppError("not_found", `Not in cluster "${target.cluster}": ${unknown.join(", ")}`);
  return orderTargets(selectNodes(target, nodes).map((n) => ({ id: n.id, role: n.role as "controlplane" | "worker" })));
}

/**
 * POST /api/rollouts: persists the rollout, preflights every target (a few at a time) and
 * either stops there (`preflight-failed`, with each node's reason; nothing applied) or hands
 * it to the runner (`running`).
 */
export async function createRollout(deps: ConfigDeps, body: CreateRollout, actor: string, opts: RunnerChoice = {}): Promise<RolloutDetail> {
  const repo = new RolloutRepository(deps.db, deps.box);
  // Not beside a Talos or Kubernetes upgrade of the cluster (checked again where the rollout is written).
  await refuseBesideLiveRuns(deps.db, body.target.cluster, "config-rollout");
  const targets = await resolveTargets(deps, body.target);
  if (targets.length === 0) throw new AppError("bad_request", "No node matches this target");
  const id = newRolloutId(deps.now());
  // The rollout's lease, held through the preflight-all: a replica that sees it in `preflight`
  // leaves it alone while the lease lives, and marks it failed once the lease expired (this
  // replica died). An owner of its own, so this process's runner never mistakes it for its lease.
  const held = await holdLease(deps.db, rolloutLease(id), `${replicaId()}/create`);
  if (!held) throw new AppError("conflict", `Rollout ${id} is being created already`);
  let failed: { id: string; message: string }[];
  try {
    await held.fenced(async (trx) => {
      await refuseBesideLiveRuns(trx, body.target.cluster, "config-rollout");
      await repo.on(trx).create({
        id,
        author: actor,
        at: deps.now(),
        target: body.target,
        mode: body.mode,
        concurrency: body.concurrency,
        continueOnFailure: body.continueOnFailure,
        configHash: configHash(body.yaml),
        redactedYaml: redactConfig(body.yaml),
        nodes: targets,
        drainPolicy: body.strategy?.drain ?? DEFAULT_DRAIN_POLICY,
      });
    });
    await eachLimited(targets, PREFLIGHT_CONCURRENCY, async (t) => {
      let update: Parameters<RolloutRepository["updateNode"]>[2];
      let config: { yaml: string; hash: string } | undefined;
      try {
        const pre = await runPreflight(deps, t.id, { yaml: body.yaml, mode: body.mode });
        if (pre.refusal) {
          update = { state: "preflight-failed", message: pre.response.verdict };
        } else {
          config = { yaml: pre.merged, hash: configHash(pre.merged) };
          update = { state: "preflight-ok", mode: pre.response.mode, message: pre.response.unchanged ? `Nothing changes; ${pre.response.effect}` : `Ready: ${pre.response.effect}` };
        }
      } catch (e) {
        update = { state: "preflight-failed", message: e instanceof Error ? e.message : String(e) };
      }
      await held.fenced(async (trx) => {
        if (config) await repo.on(trx).setNodeConfig(id, t.id, config.yaml, config.hash);
        await repo.on(trx).updateNode(id, t.id, update, deps.now());
      });
    });
    const checked = await repo.getOrThrow(id);
    failed = checked.nodes.filter((n) => n.state === "preflight-failed");
    await held.fenced(async (trx) => {
      if (failed.length > 0) {
        await repo.on(trx).skipPending(id, "Not applied: the preflight failed on another node", deps.now());
        await repo.on(trx).setState(id, "preflight-failed", deps.now(), `The preflight failed on ${failed.length} of ${checked.nodes.length} nodes; nothing was applied.`);
      } else {
        await repo.on(trx).setState(id, "running", deps.now(), "");
      }
      await recordAudit(trx, {
        actor,
        action: "config.rollout.create",
        target: id,
        result: failed.length > 0 ? "refused" : "ok",
        details: { cluster: body.target.cluster, role: body.target.role, nodes: targets.map((n) => n.id), mode: body.mode, concurrency: body.concurrency, failed: failed.map((n) => ({ node: n.id, reason: n.message })) },
      });
    });
  } finally {
    // Given back before the runner takes it (any replica's scan would, too).
    await held.release();
  }
  if (failed.length === 0) runnerOf(opts)?.kick(id);
  return publicRollout(await repo.getOrThrow(id));
}

/** A rollout of per-node configs, each checked already on its node (a manifest plan's apply). */
export interface PlannedRollout {
  cluster: string;
  mode: CreateRollout["mode"];
  concurrency: number;
  /** Shown as the rollout's manifest: the cluster manifest, redacted. */
  redactedYaml: string;
  configHash: string;
  manifestRevision: number | null;
  /** `expectedRunningHash`: the node's running config (configHash) the config was made for; another is not overwritten. */
  nodes: { id: string; role: "controlplane" | "worker"; yaml: string; mode: ApplyMode | null; message: string; expectedRunningHash?: string | null }[];
}

/**
 * Writes a rollout whose every node carries its own config, checked before (a plan's render and
 * dry run), straight into `running` in the caller's transaction `trx`, so it commits with
 * whatever the caller writes beside it (the manifest revision). Nothing is sent here: after the
 * commit, {@link kickRollout} hands it to the runner (any replica's scan would take it too).
 * Control planes go first, one at a time; workers up to `concurrency`. Returns the rollout's id.
 */
export async function insertPlannedRollout(deps: ConfigDeps, trx: Db, r: PlannedRollout, actor: string): Promise<string> {
  if (r.nodes.length === 0) throw new AppError("bad_request", "A rollout needs at least one node");
  await refuseBesideLiveRuns(trx, r.cluster, "config-rollout");
  const id = newRolloutId(deps.now());
  const nodes = orderTargets(r.nodes);
  await new RolloutRepository(deps.db, deps.box).on(trx).create({
    id,
    author: actor,
    at: deps.now(),
    target: { cluster: r.cluster, nodes: nodes.map((n) => n.id) },
    mode: r.mode,
    concurrency: r.concurrency,
    continueOnFailure: false,
    configHash: r.configHash,
    redactedYaml: r.redactedYaml,
    state: "running",
    manifestRevision: r.manifestRevision,
    nodes: nodes.map((n) => ({ id: n.id, role: n.role, config: { yaml: n.yaml, hash: configHash(n.yaml), mode: n.mode, message: n.message, expectedRunningHash: n.expectedRunningHash ?? null } })),
  });
  await recordAudit(trx, {
    actor,
    action: "config.rollout.create",
    target: id,
    result: "ok",
    details: { cluster: r.cluster, nodes: nodes.map((n) => n.id), mode: r.mode, concurrency: r.concurrency, manifestRevision: r.manifestRevision, perNode: true },
  });
  return id;
}

/** Hands a committed rollout to this process's runner (or the one chosen). */
export function kickRollout(id: string, opts: RunnerChoice = {}): void {
  runnerOf(opts)?.kick(id);
}

export async function listRollouts(deps: ConfigDeps, limit = 50): Promise<RolloutListResponse> {
  // The list leaves the manifests out; GET /api/rollouts/:id has the one asked for.
  const rollouts = (await new RolloutRepository(deps.db, deps.box).list(limit)).map((r) => rolloutSchema.parse(publicRollout(r)));
  return { rollouts };
}

export async function getRollout(deps: ConfigDeps, id: string): Promise<RolloutDetail> {
  return publicRollout(await new RolloutRepository(deps.db, deps.box).getOrThrow(id));
}

const allowed: Record<RolloutAction, string[]> = {
  pause: ["running"],
  resume: ["paused", "failed"],
  cancel: ["running", "paused", "failed"],
};

/**
 * pause: no new node starts (those in flight finish). resume: continue a paused rollout, or one
 * stopped at a failed node (the failures so far are accepted; a new one stops it again).
 * cancel: the nodes not started are skipped. @throws AppError conflict in any other state.
 */
export async function rolloutAction(deps: ConfigDeps, id: string, action: RolloutAction, actor: string, opts: RunnerChoice = {}): Promise<RolloutDetail> {
  const repo = new RolloutRepository(deps.db, deps.box);
  // Read and written in one transaction, the rollout's row locked: the driver (on any replica)
  // starts a node or ends the rollout only under the same lock, and re-reads the state after.
  await deps.db.transaction().execute(async (trx) => {
    const tx = repo.on(trx);
    const state = await tx.lockState(id);
    if (state === undefined) throw new AppError("not_found", `No rollout ${id}`);
    if (!allowed[action].includes(state)) throw new AppError("conflict", `A ${state} rollout cannot be ${action === "pause" ? "paused" : action === "resume" ? "resumed" : "cancelled"}`);
    const now = deps.now();
    if (action === "pause") await tx.setState(id, "paused", now, `Paused by ${actor}`);
    if (action === "resume") {
      const failed = (await tx.getOrThrow(id)).nodes.filter((n) => n.state === "failed").length;
      await tx.setState(id, "running", now, "", { failuresAllowed: failed });
    }
    if (action === "cancel") {
      await tx.skipPending(id, `Cancelled by ${actor}`, now);
      await tx.setState(id, "cancelled", now, `Cancelled by ${actor}`);
    }
    await recordAudit(trx, { actor, action: `config.rollout.${action}`, target: id, result: "ok", details: { from: state } });
  });
  // This replica's runner drives it if the lease is free, or wakes its loop if it drives it; a
  // driver elsewhere re-reads the state between its steps.
  runnerOf(opts)?.kick(id);
  return getRollout(deps, id);
}

/**
 * A person's answer to a node whose drain waits (`drain-blocked`): retry, force (one more round
 * of evictions, then delete what is left) or skip (apply and reboot with the pods). Written to
 * the node with an audit record; the driver takes it at once. @throws AppError not_found, conflict
 */
export async function rolloutDrainAction(deps: ConfigDeps, id: string, node: string, action: DrainAction, actor: string, opts: RunnerChoice = {}): Promise<RolloutDetail> {
  const repo = new RolloutRepository(deps.db, deps.box);
  const override = overrideOfAction[action];
  await deps.db.transaction().execute(async (trx) => {
    const tx = repo.on(trx);
    const state = await tx.lockState(id);
    if (state === undefined) throw new AppError("not_found", `No rollout ${id}`);
    const row = (await tx.getOrThrow(id)).nodes.find((n) => n.id === node || n.id.startsWith(`${node}@`));
    if (!row) throw new AppError("not_found", `No node ${JSON.stringify(node)} in rollout ${id}`);
    if (row.state !== "drain-blocked") throw new AppError("conflict", `The drain of ${row.id} is not waiting for a person (the node is ${row.state})`);
    const now = deps.now();
    const drain: NodeDrain = { ...(row.drain ?? { phase: "blocked", nodeName: null, cordoned: false, evicted: [], forced: [], blocking: [], message: "", at: now.toISOString() }), override };
    await tx.updateNode(id, row.id, { state: "draining", drain, message: `${action} by ${actor}` }, now);
    await tx.setMessage(id, "", now);
    await recordAudit(trx, { actor, action: `config.rollout.${action}`, target: id, result: "ok", details: { node: row.id, blocking: row.drain?.blocking.map((p) => `${p.namespace}/${p.name}`) ?? [] } });
  });
  runnerOf(opts)?.kick(id);
  return getRollout(deps, id);
}
