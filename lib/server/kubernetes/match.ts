import "server-only";

import type { KubeNode, NodeRef } from "./types";

/**
 * The Kubernetes Node of a Talos node: the one named after its hostname (Talos registers the
 * kubelet under the hostname), else the one with its address as an InternalIP (node names set
 * otherwise, e.g. by a cloud provider).
 */
export function matchKubeNode(nodes: readonly KubeNode[], ref: Pick<NodeRef, "address" | "hostname">): KubeNode | null {
  if (ref.hostname) {
    const byName = nodes.find((n) => n.name === ref.hostname);
    if (byName) return byName;
  }
  return nodes.find((n) => n.internalIPs.includes(ref.address)) ?? null;
}
