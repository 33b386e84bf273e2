import "server-only";

import type { KubeConfig } from "@kubernetes/client-node";

import type { BlockingPod, ClusterKubernetes, CordonResult, DrainPolicy, DrainResult, NodeKubernetes } from "@/lib/schemas/kubernetes";

/**
 * The ports of the Kubernetes feature: what the rest of Minos (upgrade and rollout runners,
 * Kubernetes upgrades, the fleet view) asks of a cluster's Kubernetes API. Implemented in this
 * folder over @kubernetes/client-node; tests run them against the simulator's Kubernetes API.
 */

/** Which Talos node: Kubernetes finds its Node by name (hostname) or InternalIP (address). */
export interface NodeRef {
  cluster: string;
  address: string;
  hostname: string | null;
}

/** The annotation Minos puts on a Node it cordons (Talos uses `talos.dev/cordoned` for its own). */
export const MINOS_CORDONED_ANNOTATION = "minos.dev/cordoned";

/**
 * Put by a single-node apply that reboots the node, with the node's boot identity before it: the
 * status job uncordons the Node (onlyIfMinos) once the Talos node booted again and the Node is
 * Ready, then removes it (uncordon-sweep.ts). Persisted on the Node, so no process has to wait.
 */
export const UNCORDON_AFTER_BOOT_ANNOTATION = "minos.dev/uncordon-after-boot";

/** The narrow Kubernetes API Minos uses (one per cluster). Errors are AppErrors (`kubernetes_unavailable`, `not_found`, …). */
export interface KubeApi {
  /** GET /version → gitVersion. */
  serverVersion(opts?: CallOpts): Promise<string>;
  listNodes(opts?: CallOpts): Promise<KubeNode[]>;
  /** Finds the Node of a Talos node (by name = hostname, else by InternalIP); null when none. */
  findNode(ref: NodeRef, opts?: CallOpts): Promise<KubeNode | null>;
  /** Sets spec.unschedulable, and adds (cordon) or removes (uncordon) annotations. */
  setUnschedulable(nodeName: string, unschedulable: boolean, annotations: Record<string, string | null>, opts?: CallOpts): Promise<KubeNode>;
  /** Pods bound to a node (fieldSelector spec.nodeName), or every unfinished pod when nodeName is omitted; paged, capped (`truncated`). */
  listPods(nodeName?: string, opts?: CallOpts): Promise<KubePodList>;
  /** POST …/pods/:name/eviction. `blocked` is the 429 of a PodDisruptionBudget, with the API's message. */
  evictPod(namespace: string, name: string, opts?: CallOpts): Promise<{ ok: true } | { ok: false; status: number; message: string }>;
  deletePod(namespace: string, name: string, opts?: CallOpts & { gracePeriodSeconds?: number }): Promise<void>;
  listPodDisruptionBudgets(opts?: CallOpts): Promise<KubePdb[]>;
}

export interface CallOpts {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface KubeNode {
  name: string;
  internalIPs: string[];
  unschedulable: boolean;
  annotations: Record<string, string>;
  ready: boolean | null;
  readyReason: string | null;
  kubeletVersion: string | null;
}

export interface KubePod {
  namespace: string;
  name: string;
  nodeName: string | null;
  phase: string;
  /** "DaemonSet", "ReplicaSet", "Node" (mirror pods), … of the controlling owner reference; null when no owner is its controller. */
  ownerKind: string | null;
  /** spec.terminationGracePeriodSeconds (the API server defaults it to 30). */
  terminationGracePeriodSeconds?: number;
  /** Has the kubernetes.io/config.mirror annotation (a static pod's mirror). */
  mirror: boolean;
  labels: Record<string, string>;
  /** Container images, in order. */
  images: string[];
  ready: boolean;
}

/** A pod listing; `truncated` when it stopped at client.ts's POD_LIST_CAP with more pods left. */
export type KubePodList = KubePod[] & { truncated?: boolean };

export interface KubePdb {
  namespace: string;
  name: string;
  /** matchLabels of the selector (matchExpressions are not evaluated; such a PDB is named for every pod of its namespace). */
  matchLabels: Record<string, string>;
  /** No selector at all: in policy/v1 it covers no pod (an empty selector covers them all). */
  selectsNothing?: boolean;
  disruptionsAllowed: number;
}

/** Per cluster: a KubeApi, or why there is none. */
export type KubeAccess =
  /**
   * `config`: the parsed kubeconfig the provider's cached client was built from, for callers that
   * need more calls than KubeApi (Kubernetes upgrades' object API) without a cache of their own:
   * the provider's invalidation (upload, delete, 401, expiry) then applies to them too. Absent
   * only in test fakes of the provider.
   */
  | { ok: true; api: KubeApi; source: "talos" | "upload"; config?: KubeConfig }
  | { ok: false; access: "no-credentials" | "unreachable"; message: string };

export interface KubernetesAccessProvider {
  /** The cluster's API (kubeconfig cached; refreshed from Talos or the upload when it fails). */
  forCluster(cluster: string): Promise<KubeAccess>;
}

/** Progress of a drain, for a runner's messages (one line each). */
export type DrainProgress = (line: string) => void;

/**
 * Cordon, drain and uncordon one node. The drain evicts every pod but DaemonSet and mirror pods
 * through the Eviction API (honouring PodDisruptionBudgets), retrying refused evictions until
 * `policy.timeoutSeconds`; then `force` deletes what is left, `halt` returns `blocked` with the
 * pods and PDBs in the way. Uncordon with `onlyIfMinos` leaves a node alone unless Minos cordoned it.
 */
export interface NodeDrainer {
  cordon(ref: NodeRef, opts?: CallOpts): Promise<CordonResult>;
  uncordon(ref: NodeRef, opts?: CallOpts & { onlyIfMinos?: boolean }): Promise<CordonResult>;
  drain(ref: NodeRef, policy: Pick<DrainPolicy, "timeoutSeconds" | "onTimeout">, opts?: CallOpts & { onProgress?: DrainProgress }): Promise<DrainResult>;
}

/** The status the fleet view merges into GET /api/nodes. */
export interface KubernetesStatusSource {
  cluster(cluster: string): ClusterKubernetes;
  node(ref: NodeRef): NodeKubernetes;
}

export type { BlockingPod };
