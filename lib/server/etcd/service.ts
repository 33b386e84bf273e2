import "server-only";

import { randomBytes } from "node:crypto";

import type { MinosAction } from "@/lib/auth/roles";
import type { EtcdCluster, EtcdDefragmentResult } from "@/lib/schemas/etcd";
import type { Actor } from "@/lib/server/auth/actor";
import { getClusterClient, getClusterContextOrThrow } from "@/lib/server/fleet/clients";
import { listNodes } from "@/lib/server/fleet/service";
import { assertActionAvailable } from "@/lib/server/fleet/talos-access";
import { recordAudit } from "@/lib/server/platform/audit";
import { getDb, type Db } from "@/lib/server/platform/db/db";
import { AppError, isAppError } from "@/lib/server/platform/errors";
import { holdLease } from "@/lib/server/platform/leases";
import { replicaId } from "@/lib/server/platform/replica";

import { defragment, disarm, forfeitLeadership, removeMember, type EtcdActionTarget } from "./actions";
import { openSnapshot, snapshotResponse } from "./snapshot";
import { readEtcd, type ControlPlaneRef, type EtcdTalos } from "./view";

/**
 * What the `/api/clusters/:cluster/etcd` routes do. Every action checks the caller's role and
 * Minos's talosconfig for the cluster (the Talos role each RPC needs), and is audited, ok or
 * failed, with no snapshot bytes in the entry.
 */

export interface EtcdServiceDeps {
  db: Db;
  client(cluster: string): Promise<EtcdTalos>;
  /** The cluster's control planes as the poller knows them (not_found for an unknown cluster). */
  controlPlanes(cluster: string): Promise<ControlPlaneRef[]>;
  talosRoles(cluster: string): Promise<readonly string[]>;
  /** This process's lease owner name (one defragmentation per cluster across replicas). */
  owner: string;
}

export function defaultEtcdDeps(): EtcdServiceDeps {
  return {
    db: getDb(),
    client: (cluster) => getClusterClient(cluster),
    controlPlanes: async (cluster) => {
      const { nodes } = await listNodes(cluster);
      const cps = nodes.filter((n) => n.role === "controlplane");
      // Before the poller has told roles apart, every node is a candidate to ask (workers refuse).
      const pool = cps.length > 0 ? cps : nodes.filter((n) => n.role === "unknown");
      return pool.map((n) => ({ address: n.address, hostname: n.hostname, confirmed: n.role === "controlplane" }));
    },
    talosRoles: async (cluster) => (await getClusterContextOrThrow(cluster)).roles,
    owner: replicaId(),
  };
}

async function target(deps: EtcdServiceDeps, cluster: string): Promise<EtcdActionTarget> {
  return { client: await deps.client(cluster), cluster, controlPlanes: await deps.controlPlanes(cluster) };
}

/** Runs an action, audits it (ok with `details(result)`, or failed with the error's code and text). */
async function audited<T>(deps: EtcdServiceDeps, actor: Actor, action: string, cluster: string, extra: Record<string, unknown>, fn: () => Promise<T>, details: (r: T) => Record<string, unknown>): Promise<T> {
  try {
    const r = await fn();
    await recordAudit(deps.db, { actor: actor.label, action, target: cluster, result: "ok", details: { ...extra, ...details(r) } });
    return r;
  } catch (e) {
    const code = isAppError(e) ? e.code : "internal";
    const steps = isAppError(e) && e.details && typeof e.details === "object" && "steps" in e.details ? { steps: (e.details as { steps: unknown }).steps } : {};
    await recordAudit(deps.db, { actor: actor.label, action, target: cluster, result: "failed", details: { ...extra, ...steps, error: { code, message: (e as Error).message } } }).catch(() => {});
    throw e;
  }
}

async function allow(deps: EtcdServiceDeps, actor: Actor, action: MinosAction, cluster: string): Promise<void> {
  assertActionAvailable(actor, action, cluster, await deps.talosRoles(cluster));
}

/** GET /api/clusters/:cluster/etcd */
export async function getEtcd(cluster: string, deps = defaultEtcdDeps()): Promise<EtcdCluster> {
  const t = await target(deps, cluster);
  return readEtcd(t.client, cluster, t.controlPlanes);
}

/** POST /api/clusters/:cluster/etcd/defragment */
export async function defragmentEtcd(actor: Actor, cluster: string, member: string | undefined, deps = defaultEtcdDeps()): Promise<EtcdDefragmentResult> {
  await allow(deps, actor, "etcdMaintain", cluster);
  const t = await target(deps, cluster);
  // One defragmentation per cluster at a time, whoever asks and on whichever replica: two runs
  // could block two members at once. The owner is this run, not the replica: a lease re-taken by
  // its owner is renewed, so two requests on one replica sharing it would both pass.
  const lease = await holdLease(deps.db, `etcd-defragment:${cluster}`, `${deps.owner}/${randomBytes(4).toString("hex")}`);
  if (!lease) throw new AppError("conflict", `A defragmentation of cluster "${cluster}" is already running; wait for it to finish`);
  const stepDetails = (r: EtcdDefragmentResult) => r.steps.map((x) => ({ member: x.memberId, hostname: x.hostname, leader: x.leader, state: x.state, dbSizeBefore: x.dbSizeBefore, dbSizeAfter: x.dbSizeAfter, ...(x.error ? { error: x.error } : {}) }));
  // A run that stopped at a failed member is audited as failed, with every step.
  const result = await audited(deps, actor, "etcd.defragment", cluster, { member: member ?? "all" }, async () => {
    const r = await defragment(t, member);
    const failed = r.steps.find((x) => x.state === "failed");
    if (failed) throw new AppError("conflict", `Defragmenting ${failed.hostname || failed.memberId} failed: ${failed.error}`, { details: { steps: stepDetails(r) } });
    return r;
  }, (r) => ({ steps: stepDetails(r) })).finally(() => lease.release());
  return result;
}

/** POST /api/clusters/:cluster/etcd/disarm */
export async function disarmEtcd(actor: Actor, cluster: string, deps = defaultEtcdDeps()) {
  await allow(deps, actor, "etcdMaintain", cluster);
  const t = await target(deps, cluster);
  return audited(deps, actor, "etcd.disarm", cluster, {}, () => disarm(t), (r) => ({ disarmed: r.disarmed }));
}

/** POST /api/clusters/:cluster/etcd/forfeit-leadership */
export async function forfeitEtcdLeadership(actor: Actor, cluster: string, member: string, deps = defaultEtcdDeps()) {
  await allow(deps, actor, "etcdAdmin", cluster);
  const t = await target(deps, cluster);
  return audited(deps, actor, "etcd.forfeit_leadership", cluster, { member }, () => forfeitLeadership(t, member), (r) => ({ newLeader: r.newLeader }));
}

/** POST /api/clusters/:cluster/etcd/remove-member */
export async function removeEtcdMember(actor: Actor, cluster: string, member: string, deps = defaultEtcdDeps()) {
  await allow(deps, actor, "etcdAdmin", cluster);
  const t = await target(deps, cluster);
  return audited(deps, actor, "etcd.remove_member", cluster, { member }, () => removeMember(t, member), (r) => ({ hostname: r.hostname, askedNode: r.askedNode }));
}

/**
 * POST /api/clusters/:cluster/etcd/snapshot: the snapshot as a download. The first chunk is read
 * before the response starts, so a refusal (a worker, no snapshot) is an error envelope; a failure
 * mid-stream aborts the download (the browser sees a broken transfer, never a short file as
 * complete). Audited when the stream ends, with its size and sha256.
 */
export async function snapshotEtcd(actor: Actor, cluster: string, member: string | undefined, signal: AbortSignal, deps = defaultEtcdDeps()): Promise<Response> {
  await allow(deps, actor, "etcdSnapshot", cluster);
  const t = await target(deps, cluster);
  // A refusal before the first byte is audited here; a started stream when it ends.
  const opened = await openSnapshot({ ...t, opts: { signal } }, member).catch(async (e: unknown) => {
    const code = isAppError(e) ? e.code : "internal";
    await recordAudit(deps.db, { actor: actor.label, action: "etcd.snapshot", target: cluster, result: "failed", details: { member: member ?? "auto", error: { code, message: (e as Error).message } } }).catch(() => {});
    throw e;
  });
  return snapshotResponse(opened, cluster, (outcome) => {
    void recordAudit(deps.db, {
      actor: actor.label,
      action: "etcd.snapshot",
      target: cluster,
      result: outcome.ok ? "ok" : "failed",
      details: { member: opened.member.id, hostname: opened.member.hostname, phase: "finished", sizeBytes: outcome.sizeBytes, sha256: outcome.sha256, ...(outcome.error ? { error: outcome.error } : {}) },
    }).catch(() => {});
  });
}
