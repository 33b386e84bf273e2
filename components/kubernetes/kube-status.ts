import type { NodeSummary } from "@/lib/schemas/fleet";
import type { ClusterKubernetes, NodeKubernetes } from "@/lib/schemas/kubernetes";

/**
 * What the dashboard says about a node's Kubernetes Ready condition. `unknown`: Kubernetes could
 * not be asked or has no Node for it; `untracked`: the server sends no Kubernetes status at all.
 */
export type KubeReadyState = "ready" | "not_ready" | "unknown" | "untracked";

export function kubeReadyState(k: NodeKubernetes | undefined): KubeReadyState {
  if (!k) return "untracked";
  if (k.ready === null) return "unknown";
  return k.ready ? "ready" : "not_ready";
}

export const kubeReadyLabels: Record<KubeReadyState, string> = {
  ready: "Ready",
  not_ready: "Not ready",
  unknown: "Unknown",
  untracked: "–",
};

/** Worst first, for sorting: a node Kubernetes calls NotReady needs a look before one it cannot see. */
export const kubeReadyRank: Record<KubeReadyState, number> = { not_ready: 0, unknown: 1, ready: 2, untracked: 3 };

/** A hover text for the Ready badge: the condition's reason, or why it is not known. */
export function kubeReadyTitle(k: NodeKubernetes | undefined): string | undefined {
  if (!k) return undefined;
  if (k.ready === false) return k.readyReason ?? "The Node's Ready condition is not True";
  if (k.ready === null)
    return k.nodeName === null
      ? "No Kubernetes Node matches this Talos node (yet), or Kubernetes cannot be asked"
      : "Kubernetes cannot be asked about this node";
  return undefined;
}

/** "Cordoned by Minos", "Cordoned outside Minos" (Talos, kubectl, …), "Schedulable", or null when unknown. */
export function cordonLabel(k: NodeKubernetes | undefined): string | null {
  if (!k || k.unschedulable === null) return null;
  if (!k.unschedulable) return "Schedulable";
  // Minos uncordons only what it cordoned: the operator must know whose cordon this is.
  return k.cordonedByMinos ? "Cordoned by Minos" : "Cordoned outside Minos";
}

/**
 * Version skew in words. Kubernetes supports kubelets up to three minor versions older than the
 * API server and never newer; `tone` says how worried to be.
 */
export function skewText(c: Pick<ClusterKubernetes, "skew" | "controlPlaneVersion" | "kubeletVersions">): {
  text: string;
  tone: "ok" | "warn" | "danger" | "neutral";
} {
  if (c.skew === null) return { text: "skew unknown", tone: "neutral" };
  const cp = c.controlPlaneVersion;
  // skew is a distance; a kubelet newer than the API server is never supported, whatever the distance.
  const cpMinor = cp === null ? null : minorOf(cp);
  const newer = cpMinor !== null && Object.keys(c.kubeletVersions).some((v) => (minorOf(v) ?? -Infinity) > cpMinor);
  if (newer) return { text: "a kubelet is newer than the control plane (unsupported)", tone: "danger" };
  if (c.skew === 0) return { text: "no version skew", tone: "ok" };
  const minors = `${c.skew} minor ${c.skew === 1 ? "version" : "versions"}`;
  if (c.skew > 3) return { text: `kubelets ${minors} behind: beyond the 3 Kubernetes supports`, tone: "danger" };
  return { text: `kubelets up to ${minors} behind`, tone: "warn" };
}

/** "v1.34.1" → 1034: major and minor as one comparable number (patches never skew). */
function minorOf(v: string): number | null {
  const m = /^v?(\d+)\.(\d+)/.exec(v);
  return m ? Number(m[1]) * 1000 + Number(m[2]) : null;
}

/** One sentence for a cluster whose Kubernetes cannot be asked, or null when it can. */
export function accessProblem(c: ClusterKubernetes | undefined): { title: string; detail: string | null; tone: "warn" | "danger" | "neutral" } | null {
  if (!c) return null;
  switch (c.access) {
    case "ok":
      return null;
    case "no-credentials":
      return { title: "No Kubernetes credentials: upload a kubeconfig", detail: c.message, tone: "warn" };
    case "unreachable":
      return { title: "Kubernetes unreachable", detail: c.message, tone: "danger" };
    case "unknown":
      return { title: "Kubernetes not checked yet", detail: c.message, tone: "neutral" };
  }
}

/** Per cluster, from its nodes' Kubernetes status: how many are not Ready and how many cordoned. */
export interface ClusterKubeCounts {
  notReady: number;
  cordoned: number;
}

/**
 * Not Ready (false or unknown: Kubernetes does not say Ready) and cordoned nodes per cluster.
 * Nodes without Kubernetes status are not counted: nothing is known about them.
 */
export function kubeCountsByCluster(nodes: readonly Pick<NodeSummary, "cluster" | "kubernetes">[]): Map<string, ClusterKubeCounts> {
  const out = new Map<string, ClusterKubeCounts>();
  for (const n of nodes) {
    if (!n.kubernetes) continue;
    const c = out.get(n.cluster) ?? { notReady: 0, cordoned: 0 };
    if (n.kubernetes.ready !== true) c.notReady += 1;
    if (n.kubernetes.unschedulable === true) c.cordoned += 1;
    out.set(n.cluster, c);
  }
  return out;
}
