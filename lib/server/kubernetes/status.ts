import "server-only";

import { UNKNOWN_CLUSTER_KUBERNETES, UNKNOWN_NODE_KUBERNETES, type ClusterKubernetes, type KubernetesAccess, type NodeKubernetes } from "@/lib/schemas/kubernetes";

import { POD_LIST_CAP } from "./client";
import { matchKubeNode } from "./match";
import { MINOS_CORDONED_ANNOTATION, type KubeNode, type KubePod, type KubernetesAccessProvider } from "./types";
import { sweepUncordonAfterBoot, type UncordonSweepDeps } from "./uncordon-sweep";

/**
 * What Kubernetes says about each cluster, read in the background: per cluster the API server's
 * version, kubelet versions and skew, and whether it can be asked at all; per Talos node its
 * Node's name, Ready condition, kubelet version, cordon and pod count. The fleet snapshot merges
 * it into GET /api/nodes and the SSE stream. Reading Kubernetes never blocks a Talos view: the
 * job runs on its own timer, each read has a deadline, and a failure becomes the status.
 */

/** One cluster's status: the roll-up, and each Talos node's by address. */
export interface KubernetesClusterStatus {
  cluster: ClusterKubernetes;
  nodes: Record<string, NodeKubernetes>;
}

/** The Talos nodes of a cluster, as the fleet snapshot knows them. */
export interface TalosNodeRef {
  address: string;
  hostname: string | null;
  /** Running and ready as the poller last saw it (absent: unknown); the uncordon after a boot waits for it. */
  running?: boolean;
}

/** The minor of "v1.34.1" (null for anything else). */
export function minorOf(version: string | null): number | null {
  const m = /^v?1\.(\d+)(?:\.|$)/.exec(version ?? "");
  return m ? Number(m[1]) : null;
}

/** The status when the API was read: nodes matched to Talos nodes, pods counted per node. */
export function clusterStatusFrom(
  read: { version: string; nodes: readonly KubeNode[]; pods: readonly KubePod[]; podsTruncated?: boolean; source: "talos" | "upload" },
  talosNodes: readonly TalosNodeRef[],
  now: Date,
): KubernetesClusterStatus {
  const podsByNode = new Map<string, number>();
  for (const p of read.pods) {
    // Running or Pending: what still occupies the node (a finished Job's pod does not).
    if (p.nodeName && (p.phase === "Running" || p.phase === "Pending")) podsByNode.set(p.nodeName, (podsByNode.get(p.nodeName) ?? 0) + 1);
  }
  const kubeletVersions: Record<string, number> = {};
  const cpMinor = minorOf(read.version);
  let skew: number | null = null;
  for (const n of read.nodes) {
    if (!n.kubeletVersion) continue;
    kubeletVersions[n.kubeletVersion] = (kubeletVersions[n.kubeletVersion] ?? 0) + 1;
    const minor = minorOf(n.kubeletVersion);
    if (cpMinor !== null && minor !== null) skew = Math.max(skew ?? 0, Math.abs(cpMinor - minor));
  }
  const nodes: Record<string, NodeKubernetes> = {};
  for (const t of talosNodes) {
    const n = matchKubeNode(read.nodes, t);
    nodes[t.address] = n
      ? {
          nodeName: n.name,
          ready: n.ready,
          readyReason: n.readyReason,
          kubeletVersion: n.kubeletVersion,
          unschedulable: n.unschedulable,
          cordonedByMinos: n.annotations[MINOS_CORDONED_ANNOTATION] !== undefined,
          // A capped listing would undercount: unknown rather than wrong.
          pods: read.podsTruncated ? null : (podsByNode.get(n.name) ?? 0),
        }
      : UNKNOWN_NODE_KUBERNETES;
  }
  return {
    cluster: {
      access: "ok",
      message: read.podsTruncated ? `The cluster has more than ${POD_LIST_CAP} unfinished pods; Minos stopped listing them there, so pod counts are not shown` : null,
      source: read.source,
      controlPlaneVersion: read.version,
      kubeletVersions,
      skew,
      checkedAt: now.toISOString(),
    },
    nodes,
  };
}

/** The status when Kubernetes cannot be asked: the reason on the cluster, every node unknown. */
export function unavailableStatus(access: Exclude<KubernetesAccess, "ok" | "unknown">, message: string, source: "talos" | "upload" | null, talosNodes: readonly TalosNodeRef[], now: Date): KubernetesClusterStatus {
  return {
    cluster: { ...UNKNOWN_CLUSTER_KUBERNETES, access, message, source, checkedAt: now.toISOString() },
    nodes: Object.fromEntries(talosNodes.map((t) => [t.address, UNKNOWN_NODE_KUBERNETES])),
  };
}

/**
 * Reads one cluster's status; never throws (a failure is the status). With `afterBoot`, it also
 * uncordons the Nodes a single-node apply left for after their reboot (uncordon-sweep.ts).
 */
export async function readClusterStatus(
  access: KubernetesAccessProvider,
  cluster: string,
  talosNodes: readonly TalosNodeRef[],
  opts: { timeoutMs: number; now?: () => Date; afterBoot?: UncordonSweepDeps },
): Promise<KubernetesClusterStatus> {
  const now = opts.now ?? (() => new Date());
  const a = await access.forCluster(cluster);
  if (!a.ok) return unavailableStatus(a.access, a.message, null, talosNodes, now());
  const call = { timeoutMs: opts.timeoutMs };
  try {
    const [version, listed, pods] = await Promise.all([a.api.serverVersion(call), a.api.listNodes(call), a.api.listPods(undefined, call)]);
    let nodes = listed;
    if (opts.afterBoot && (await sweepUncordonAfterBoot(a.api, cluster, nodes, talosNodes, opts.afterBoot, call)).length > 0) nodes = await a.api.listNodes(call);
    return clusterStatusFrom({ version, nodes, pods, podsTruncated: pods.truncated === true, source: a.source }, talosNodes, now());
  } catch (e) {
    return unavailableStatus("unreachable", (e as Error).message, a.source, talosNodes, now());
  }
}

/** Where the job reads the clusters and their Talos nodes, and puts what it learnt (the fleet poller). */
export interface KubernetesStatusTarget {
  clusterNames(): string[];
  talosNodes(cluster: string): TalosNodeRef[];
  setClusterKubernetes(cluster: string, status: KubernetesClusterStatus): void;
}

export interface KubernetesStatusJob {
  /** Reads a cluster now (after a cordon, drain or kubeconfig upload) rather than at the next tick. */
  refresh(cluster: string): Promise<void>;
  stop(): void;
}

/**
 * Reads every cluster's status every `intervalMs` (the fleet poll interval), one read per cluster
 * at a time; a slow cluster delays only itself.
 */
export function startKubernetesStatusJob(access: KubernetesAccessProvider, target: KubernetesStatusTarget, o: { intervalMs: number; timeoutMs?: number; afterBoot?: UncordonSweepDeps }): KubernetesStatusJob {
  const running = new Map<string, Promise<void>>();
  /** A read asked for while one runs: it starts when that one ends (that one may predate a change). */
  const queued = new Map<string, Promise<void>>();
  let stopped = false;
  const timeoutMs = o.timeoutMs ?? Math.min(5_000, Math.max(1_000, o.intervalMs));

  function read(cluster: string): Promise<void> {
    const p = (async () => {
      const status = await readClusterStatus(access, cluster, target.talosNodes(cluster), { timeoutMs, afterBoot: o.afterBoot });
      // A cluster removed while it was read is not brought back.
      if (!stopped && target.clusterNames().includes(cluster)) target.setClusterKubernetes(cluster, status);
    })()
      .catch((e: unknown) => console.error(`[minos] kubernetes status of cluster ${cluster} failed`, e))
      .finally(() => running.delete(cluster));
    running.set(cluster, p);
    return p;
  }

  function refresh(cluster: string, fresh = true): Promise<void> {
    const current = running.get(cluster);
    if (!current) return read(cluster);
    // The timer's tick may share a read in flight; a caller that just changed something may not.
    if (!fresh) return current;
    let next = queued.get(cluster);
    if (!next) {
      next = current.then(() => {
        queued.delete(cluster);
        return running.get(cluster) ?? read(cluster);
      });
      queued.set(cluster, next);
    }
    return next;
  }

  const tick = () => {
    if (stopped) return;
    for (const c of target.clusterNames()) void refresh(c, false);
  };
  const timer = setInterval(tick, o.intervalMs);
  timer.unref?.();
  tick();
  return {
    refresh,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
