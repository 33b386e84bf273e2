import type { NodeKubernetes } from "@/lib/schemas/kubernetes";

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
