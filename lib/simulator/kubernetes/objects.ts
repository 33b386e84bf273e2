/**
 * The shapes of the objects the simulator keeps (core/v1 Node and Pod, apps/v1 Deployment and
 * DaemonSet, policy/v1 PodDisruptionBudget), as the API server serves them, and their builders.
 */
import crypto from "node:crypto";

import type { KObject, ObjectMeta, OwnerReference } from "./store";

/** RFC 3339 with seconds, as metav1.Time marshals. */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural, as in the path. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

export const RESOURCES = {
  nodes: { group: "", version: "v1", resource: "nodes", kind: "Node", namespaced: false },
  pods: { group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true },
  poddisruptionbudgets: { group: "policy", version: "v1", resource: "poddisruptionbudgets", kind: "PodDisruptionBudget", namespaced: true },
  deployments: { group: "apps", version: "v1", resource: "deployments", kind: "Deployment", namespaced: true },
  daemonsets: { group: "apps", version: "v1", resource: "daemonsets", kind: "DaemonSet", namespaced: true },
} satisfies Record<string, ResourceInfo>;

export const apiVersionOf = (r: ResourceInfo) => (r.group ? `${r.group}/${r.version}` : r.version);

/** The pod name suffix alphabet of apimachinery's rand.String (no vowels, no confusable digits). */
const ALNUM = "bcdfghjklmnpqrstvwxz2456789";
export function randomSuffix(n = 5): string {
  const bytes = crypto.randomBytes(n);
  return [...bytes].map((b) => ALNUM[b % ALNUM.length]).join("");
}

/** A stable pod-template-hash-like string for a template (10 chars of the same alphabet). */
export function templateHash(template: unknown): string {
  const h = crypto.createHash("sha256").update(JSON.stringify(template)).digest();
  return [...h.subarray(0, 10)].map((b) => ALNUM[b % ALNUM.length]).join("");
}

export interface Container {
  name: string;
  image: string;
  [k: string]: unknown;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Container[]; tolerations?: { key?: string; operator?: string; effect?: string }[]; nodeSelector?: Record<string, string>; [k: string]: unknown };
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
}

export interface PodSpec {
  nodeName?: string;
  containers: Container[];
  tolerations?: { key?: string; operator?: string; effect?: string }[];
  nodeSelector?: Record<string, string>;
  priorityClassName?: string;
  [k: string]: unknown;
}

export interface PodStatus {
  phase: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
  conditions?: Condition[];
  hostIP?: string;
  podIP?: string;
  startTime?: string;
  containerStatuses?: unknown[];
  [k: string]: unknown;
}

export interface Pod extends KObject {
  spec: PodSpec;
  status: PodStatus;
}

export interface Taint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  timeAdded?: string;
}

export interface KNode extends KObject {
  spec: { unschedulable?: boolean; taints?: Taint[]; podCIDR?: string; podCIDRs?: string[]; [k: string]: unknown };
  status: {
    conditions: Condition[];
    addresses: { type: string; address: string }[];
    nodeInfo: Record<string, string>;
    [k: string]: unknown;
  };
}

export interface Workload extends KObject {
  spec: { replicas?: number; selector: { matchLabels?: Record<string, string> }; template: PodTemplate; [k: string]: unknown };
  status: Record<string, unknown>;
}

export interface Pdb extends KObject {
  spec: { minAvailable?: number | string; maxUnavailable?: number | string; selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] }; [k: string]: unknown };
  status: {
    observedGeneration?: number;
    disruptionsAllowed: number;
    currentHealthy: number;
    desiredHealthy: number;
    expectedPods: number;
    conditions?: Condition[];
    [k: string]: unknown;
  };
}

export const ownerRef = (o: { apiVersion: string; kind: string; metadata: Pick<ObjectMeta, "name" | "uid"> }): OwnerReference => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name,
  uid: o.metadata.uid,
  controller: true,
  blockOwnerDeletion: true,
});

/** The controlling owner reference of an object, if any. */
export const controllerOf = (o: Pick<KObject, "metadata">): OwnerReference | undefined => o.metadata.ownerReferences?.find((r) => r.controller);

export const isReadyCondition = (conds: Condition[] | undefined) => conds?.find((c) => c.type === "Ready")?.status === "True";

export function podReady(p: Pick<Pod, "status" | "metadata">): boolean {
  return p.status.phase === "Running" && !p.metadata.deletionTimestamp && isReadyCondition(p.status.conditions);
}

/** The annotation the kubelet puts on a static pod's mirror. */
export const MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
/** Talos's own cordon mark (internal/app/machined/pkg/system/... cordonAndDrainNode). */
export const TALOS_CORDONED_ANNOTATION = "talos.dev/cordoned";

export const CONTROL_PLANE_TAINT: Taint = { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" };
export const UNSCHEDULABLE_TAINT_KEY = "node.kubernetes.io/unschedulable";
export const NOT_READY_TAINT_KEY = "node.kubernetes.io/not-ready";
export const UNREACHABLE_TAINT_KEY = "node.kubernetes.io/unreachable";

/** Whether a pod's tolerations let it onto a node with `taints` (NoSchedule/NoExecute). */
export function tolerates(tolerations: PodSpec["tolerations"], taints: Taint[] | undefined): boolean {
  return (taints ?? [])
    .filter((t) => t.effect !== "PreferNoSchedule")
    .every((t) => (tolerations ?? []).some((tol) => (tol.operator === "Exists" && !tol.key) || (tol.key === t.key && (!tol.effect || tol.effect === t.effect))));
}
