import "server-only";

import type { CordonResult, DrainRequest, DrainResult, KubeconfigInfo } from "@/lib/schemas/kubernetes";
import { drainRequestSchema } from "@/lib/schemas/kubernetes";
import type { Actor } from "@/lib/server/auth/actor";
import { getClusterContextOrThrow } from "@/lib/server/fleet/clients";
import { resolveNodeOrThrow } from "@/lib/server/fleet/nodes";
import { currentFleetPoller } from "@/lib/server/fleet/service";
import { recordAudit } from "@/lib/server/platform/audit";
import { getDb, type Db } from "@/lib/server/platform/db/db";
import { env } from "@/lib/server/platform/env";
import { subscribe } from "@/lib/server/platform/events";
import { AppError, isAppError } from "@/lib/server/platform/errors";
import { getSecretBox, type SecretBox } from "@/lib/server/platform/secret-box";

import type { CachingKubeAccessProvider } from "./access";
import { getKubeAccess, getNodeDrainer, refreshKubernetesStatus } from "./deps";
import { parseKubeconfig } from "./kubeconfig";
import { deleteKubeconfig, getKubeconfigMeta, putKubeconfig } from "./kubeconfigs";
import type { NodeDrainer, NodeRef } from "./types";

/**
 * What the Kubernetes routes do: cordon, uncordon and drain a node (operator), and manage a
 * cluster's uploaded kubeconfig (admin; viewers see its info, never the file). Every action is
 * audited, without any kubeconfig content.
 */

export interface KubernetesServiceDeps {
  db: Db;
  box: SecretBox;
  access: CachingKubeAccessProvider;
  drainer: NodeDrainer;
  /** A node ID → its ref (cluster, address, hostname as the poller knows it). */
  resolveNode(id: string): Promise<NodeRef>;
  /** Throws not_found for a cluster Minos does not manage. */
  requireCluster(cluster: string): Promise<void>;
  /** Reads the cluster's Kubernetes status now, so the next GET /api/nodes shows the change. */
  refreshStatus(cluster: string): Promise<void>;
}

export function defaultKubernetesServiceDeps(): KubernetesServiceDeps {
  return {
    db: getDb(),
    box: getSecretBox(env()),
    access: getKubeAccess(),
    drainer: getNodeDrainer(),
    resolveNode: async (id) => {
      const { cluster, address } = await resolveNodeOrThrow(id);
      return { cluster, address, hostname: currentFleetPoller()?.detail(id)?.summary.hostname ?? null };
    },
    requireCluster: async (cluster) => void (await getClusterContextOrThrow(cluster)),
    refreshStatus: refreshKubernetesStatus,
  };
}

/** Runs a node action, audits it (ok or failed, with the error's code), and refreshes the status. */
async function audited<T>(deps: KubernetesServiceDeps, actor: Actor, action: string, id: string, ref: NodeRef, fn: () => Promise<T>, details: (r: T) => Record<string, unknown>): Promise<T> {
  try {
    const r = await fn();
    await recordAudit(deps.db, { actor: actor.label, action, target: id, result: "ok", details: details(r) });
    return r;
  } catch (e) {
    const code = isAppError(e) ? e.code : "internal";
    const d = isAppError(e) && e.code === "drain_blocked" ? (e.details as Record<string, unknown>) : { error: { code, message: (e as Error).message } };
    await recordAudit(deps.db, { actor: actor.label, action, target: id, result: "failed", details: d }).catch(() => {});
    throw e;
  } finally {
    await deps.refreshStatus(ref.cluster).catch(() => {});
  }
}

/** POST /api/nodes/:node/cordon */
export async function cordonNode(actor: Actor, id: string, deps = defaultKubernetesServiceDeps()): Promise<CordonResult> {
  const ref = await deps.resolveNode(id);
  return audited(deps, actor, "node.cordon", id, ref, () => deps.drainer.cordon(ref), (r) => ({ nodeName: r.nodeName, changed: r.changed }));
}

/** POST /api/nodes/:node/uncordon: lifts any cordon, Minos's or not (a person asked). */
export async function uncordonNode(actor: Actor, id: string, deps = defaultKubernetesServiceDeps()): Promise<CordonResult> {
  const ref = await deps.resolveNode(id);
  return audited(deps, actor, "node.uncordon", id, ref, () => deps.drainer.uncordon(ref), (r) => ({ nodeName: r.nodeName, changed: r.changed }));
}

/**
 * POST /api/nodes/:node/drain: cordons and drains, waiting up to the timeout.
 * @throws AppError drain_blocked (409) with the DrainResult (blocking pods and PDBs) in `details` when it halts.
 */
export async function drainNode(actor: Actor, id: string, body: DrainRequest, deps = defaultKubernetesServiceDeps(), signal?: AbortSignal): Promise<DrainResult> {
  const policy = drainRequestSchema.parse(body);
  const ref = await deps.resolveNode(id);
  return audited(
    deps,
    actor,
    "node.drain",
    id,
    ref,
    async () => {
      const r = await deps.drainer.drain(ref, policy, { signal });
      if (r.outcome === "blocked") {
        const names = r.blocking.map((b) => `${b.namespace}/${b.name}${b.pdbs.length > 0 ? ` (PodDisruptionBudget ${b.pdbs.join(", ")})` : ""}`);
        throw new AppError("drain_blocked", `The drain of ${r.nodeName} halted after ${r.seconds} s: ${names.join("; ")} could not be evicted`, { details: r });
      }
      return r;
    },
    (r) => ({ nodeName: r.nodeName, outcome: r.outcome, evicted: r.evicted, forced: r.forced, seconds: r.seconds, timeoutSeconds: policy.timeoutSeconds, onTimeout: policy.onTimeout }),
  );
}

// ---------------------------------------------------------------------------------------------
// Uploaded kubeconfigs
// ---------------------------------------------------------------------------------------------

/** GET /api/clusters/:cluster/kubeconfig: where the credentials come from and whether they work; never the file. */
export async function getKubeconfigInfo(cluster: string, deps = defaultKubernetesServiceDeps()): Promise<KubeconfigInfo> {
  await deps.requireCluster(cluster);
  const upload = await getKubeconfigMeta(deps.db, cluster);
  const access = await deps.access.forCluster(cluster);
  const info = deps.access.info(cluster);
  return {
    cluster,
    source: access.ok ? access.source : upload ? "upload" : null,
    server: upload?.server ?? info.server,
    uploadedAt: upload?.uploadedAt ?? null,
    uploadedBy: upload?.uploadedBy ?? null,
    access: access.ok ? "ok" : access.access,
    message: access.ok ? null : access.message,
  };
}

/** PUT /api/clusters/:cluster/kubeconfig: checks, seals and stores it (replacing any), audited without content. */
export async function putClusterKubeconfig(actor: Actor, cluster: string, kubeconfig: string, deps = defaultKubernetesServiceDeps()): Promise<KubeconfigInfo> {
  await deps.requireCluster(cluster);
  const parsed = parseKubeconfig(kubeconfig);
  await deps.db.transaction().execute(async (trx) => {
    // Only the parsed current context, its cluster and its user are sealed: the rest of the file
    // (other users' keys, plugins, comments) is never stored, and what is stored is what was checked.
    await putKubeconfig(trx, deps.box, { cluster, kubeconfig: parsed.config.exportConfig(), server: parsed.server, uploadedBy: actor.label });
    await recordAudit(trx, { actor: actor.label, action: "kubeconfig.upload", target: cluster, result: "ok", details: { server: parsed.server, context: parsed.context } });
  });
  deps.access.invalidate(cluster);
  await deps.refreshStatus(cluster).catch(() => {});
  return getKubeconfigInfo(cluster, deps);
}

/** DELETE /api/clusters/:cluster/kubeconfig: Minos goes back to asking Talos. @throws AppError not_found when none was uploaded. */
export async function deleteClusterKubeconfig(actor: Actor, cluster: string, deps = defaultKubernetesServiceDeps()): Promise<KubeconfigInfo> {
  await deps.requireCluster(cluster);
  const removed = await deps.db.transaction().execute(async (trx) => {
    const r = await deleteKubeconfig(trx, cluster);
    if (r) await recordAudit(trx, { actor: actor.label, action: "kubeconfig.remove", target: cluster, result: "ok", details: { server: r.server } });
    return r;
  });
  if (!removed) throw new AppError("not_found", `No kubeconfig was uploaded for cluster ${cluster}`);
  deps.access.invalidate(cluster);
  await deps.refreshStatus(cluster).catch(() => {});
  return getKubeconfigInfo(cluster, deps);
}

/**
 * Drops the uploaded kubeconfigs of clusters Minos no longer manages: a cluster added later under
 * the same name may be another cluster, and must not be drained through the old one's API.
 * Idempotent (every replica hears the `clusters` event; one finds the row). Returns the clusters whose upload went.
 */
export async function dropKubeconfigsOfRemovedClusters(clusters: readonly string[], deps = defaultKubernetesServiceDeps()): Promise<string[]> {
  const dropped: string[] = [];
  for (const cluster of clusters) {
    try {
      await deps.requireCluster(cluster);
      continue;
    } catch (e) {
      if (!isAppError(e) || e.code !== "not_found") throw e;
    }
    const removed = await deps.db.transaction().execute(async (trx) => {
      const r = await deleteKubeconfig(trx, cluster);
      if (r) await recordAudit(trx, { actor: "minos", action: "kubeconfig.remove", target: cluster, result: "ok", details: { server: r.server, reason: "the cluster is no longer managed" } });
      return r;
    });
    deps.access.invalidate(cluster);
    if (removed) dropped.push(cluster);
  }
  return dropped;
}

/** Follows cluster removals (the `clusters` event) to drop their uploaded kubeconfigs (runtime.ts). Returns the unsubscribe. */
export function followClusterRemovals(): () => void {
  return subscribe("clusters", ({ clusters }) => {
    dropKubeconfigsOfRemovedClusters(clusters).catch((e: unknown) => console.error("[minos] dropping the kubeconfigs of removed clusters failed", e));
  });
}
