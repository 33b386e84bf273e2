/**
 * What the dashboard says about a cluster's Kubernetes (the node-level words are in
 * kube-status.ts, which the nodes page loads without these).
 */
import type { NodeSummary } from "@/lib/schemas/fleet";
import type { ClusterKubernetes } from "@/lib/schemas/kubernetes";

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
