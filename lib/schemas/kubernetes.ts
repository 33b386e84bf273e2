import { z } from "zod";

// The Kubernetes side of the HTTP contract: each node's Kubernetes status (a field of
// GET /api/nodes), cordon/drain/uncordon, the drain policy that upgrades and rollouts share, and
// uploaded kubeconfigs. Kubernetes upgrades have their own file (kubernetes-upgrades.ts).

/**
 * How a reboot Minos causes treats the node's pods. `halt` (the default) waits for a person when
 * the timeout passes (the UI offers retry, force and skip); `force` deletes the pods that are left.
 */
export const drainPolicySchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Talos's own drain (legacy upgrade, shutdown, graceful reset) gives up after 5 minutes. */
  timeoutSeconds: z.number().int().min(10).max(24 * 3600).default(300),
  onTimeout: z.enum(["halt", "force"]).default("halt"),
});
export type DrainPolicy = z.output<typeof drainPolicySchema>;
export type DrainPolicyInput = z.input<typeof drainPolicySchema>;
export const DEFAULT_DRAIN_POLICY: DrainPolicy = drainPolicySchema.parse({});

/** Per node in GET /api/nodes: what Kubernetes says about it. `ready: null` when Kubernetes cannot be asked. */
export const nodeKubernetesSchema = z.object({
  /** The Node object's name; null when no Node matches this Talos node (yet). */
  nodeName: z.string().nullable(),
  /** The Node's Ready condition; null when unknown (Kubernetes unreachable, no access, no Node). */
  ready: z.boolean().nullable(),
  /** The Ready condition's reason and message when it is not True, e.g. "KubeletNotReady: …". */
  readyReason: z.string().nullable(),
  /** status.nodeInfo.kubeletVersion, e.g. "v1.34.1". */
  kubeletVersion: z.string().nullable(),
  /** spec.unschedulable (cordoned). */
  unschedulable: z.boolean().nullable(),
  /** Cordoned by Minos (it carries Minos's annotation): Minos uncordons it after its reboot. */
  cordonedByMinos: z.boolean(),
  /** Pods bound to the node that are not finished (Running or Pending), mirror and DaemonSet pods included. */
  pods: z.number().int().nullable(),
});
export type NodeKubernetes = z.infer<typeof nodeKubernetesSchema>;

/** A node Kubernetes has not been asked about (or cannot be). */
export const UNKNOWN_NODE_KUBERNETES: NodeKubernetes = {
  nodeName: null,
  ready: null,
  readyReason: null,
  kubeletVersion: null,
  unschedulable: null,
  cordonedByMinos: false,
  pods: null,
};

/** Why Kubernetes cannot be asked about a cluster. */
export const kubernetesAccessSchema = z.enum([
  /** A kubeconfig was obtained (from Talos or an upload) and the API answered. */
  "ok",
  /** No uploaded kubeconfig, and the talosconfig is not os:admin (Kubeconfig needs it). */
  "no-credentials",
  /** The API server did not answer, or refused the kubeconfig. */
  "unreachable",
  /** Not asked yet. */
  "unknown",
]);
export type KubernetesAccess = z.infer<typeof kubernetesAccessSchema>;

/** Per cluster in GET /api/nodes (`clusters[].kubernetes`). */
export const clusterKubernetesSchema = z.object({
  access: kubernetesAccessSchema,
  /** A sentence for the operator when access is not ok (never a credential). */
  message: z.string().nullable(),
  /** Where the kubeconfig came from. */
  source: z.enum(["talos", "upload"]).nullable(),
  /** The API server's version (/version gitVersion), e.g. "v1.34.1". */
  controlPlaneVersion: z.string().nullable(),
  /** Kubelet versions → node count. */
  kubeletVersions: z.record(z.string(), z.number().int()),
  /**
   * The largest minor-version distance between the control plane and a kubelet (Kubernetes allows
   * kubelets up to 3 minors older, never newer); null when unknown.
   */
  skew: z.number().int().nullable(),
  /** When the status was last read from the API. */
  checkedAt: z.iso.datetime().nullable(),
});
export type ClusterKubernetes = z.infer<typeof clusterKubernetesSchema>;

/** A cluster whose Kubernetes has not been asked yet. */
export const UNKNOWN_CLUSTER_KUBERNETES: ClusterKubernetes = {
  access: "unknown",
  message: null,
  source: null,
  controlPlaneVersion: null,
  kubeletVersions: {},
  skew: null,
  checkedAt: null,
};

/** A pod the drain could not move, and why. */
export const blockingPodSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  /** The PodDisruptionBudgets (namespace/name) that refused its eviction (429), if that is why. */
  pdbs: z.array(z.string()),
  /** The last answer of the API for it, e.g. "Cannot evict pod as it would violate the pod's disruption budget." */
  reason: z.string(),
});
export type BlockingPod = z.infer<typeof blockingPodSchema>;

/** What a drain did. `blocked` means the timeout passed under `onTimeout: "halt"`. */
export const drainResultSchema = z.object({
  node: z.string(),
  nodeName: z.string(),
  outcome: z.enum(["drained", "forced", "blocked"]),
  /** namespace/name of each pod evicted (or deleted, when forced). */
  evicted: z.array(z.string()),
  forced: z.array(z.string()),
  /** DaemonSet and mirror (static) pods left in place, as kubectl drain does. */
  ignored: z.array(z.string()),
  blocking: z.array(blockingPodSchema),
  seconds: z.number(),
});
export type DrainResult = z.infer<typeof drainResultSchema>;

/** POST /api/nodes/:node/drain */
export const drainRequestSchema = z.strictObject({
  /** The request waits for the drain, so it is bounded tighter than a runner's. */
  timeoutSeconds: z.number().int().min(1).max(3600).default(300),
  onTimeout: z.enum(["halt", "force"]).default("halt"),
});
export type DrainRequest = z.input<typeof drainRequestSchema>;

/** POST /api/nodes/:node/(cordon|uncordon) */
export const cordonResultSchema = z.object({
  node: z.string(),
  nodeName: z.string(),
  unschedulable: z.boolean(),
  /** False when the node already was in that state. */
  changed: z.boolean(),
});
export type CordonResult = z.infer<typeof cordonResultSchema>;

/** PUT /api/clusters/:cluster/kubeconfig (admin): an uploaded kubeconfig, sealed at rest. */
export const kubeconfigUploadSchema = z.strictObject({
  kubeconfig: z.string().min(1).max(256 * 1024),
});

/** GET /api/clusters/:cluster/kubeconfig: never the kubeconfig itself. */
export const kubeconfigInfoSchema = z.object({
  cluster: z.string(),
  source: z.enum(["talos", "upload"]).nullable(),
  server: z.string().nullable(),
  uploadedAt: z.iso.datetime().nullable(),
  uploadedBy: z.string().nullable(),
  access: kubernetesAccessSchema,
  message: z.string().nullable(),
});
export type KubeconfigInfo = z.infer<typeof kubeconfigInfoSchema>;
