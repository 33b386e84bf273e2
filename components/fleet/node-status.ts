import type { NodeStage, NodeSummary } from "@/lib/schemas/fleet";

/**
 * One word for a node's state, worst first. Derived from the health model's fields so the
 * overview, the table and the detail page always agree.
 */
export type NodeStatus = "offline" | "critical" | "transition" | "not_ready" | "warning" | "healthy";

/** Worst first: the order of the default sort and of the status column. */
export const statusRank: Record<NodeStatus, number> = {
  offline: 0,
  critical: 1,
  transition: 2,
  not_ready: 3,
  warning: 4,
  healthy: 5,
};

export function nodeStatus(node: NodeSummary): NodeStatus {
  if (!node.reachable) return "offline";
  if (node.problems.some((p) => p.severity === "critical")) return "critical";
  if (node.stage !== "running") return "transition";
  if (!node.ready) return "not_ready";
  if (node.problems.length > 0) return "warning";
  return "healthy";
}

const stageLabels: Record<NodeStage, string> = {
  booting: "Booting",
  installing: "Installing",
  maintenance: "Maintenance",
  running: "Running",
  rebooting: "Rebooting",
  shutting_down: "Shutting down",
  resetting: "Resetting",
  upgrading: "Upgrading",
  unknown: "Unknown",
};

export function stageLabel(stage: NodeStage): string {
  return stageLabels[stage];
}

/** The status as words, e.g. "Offline", "Rebooting", "Not ready". */
export function statusLabel(node: NodeSummary, status: NodeStatus = nodeStatus(node)): string {
  switch (status) {
    case "offline":
      return "Offline";
    case "critical":
      return "Failing";
    case "transition":
      return stageLabel(node.stage);
    case "not_ready":
      return "Not ready";
    case "warning":
      return "Warning";
    case "healthy":
      return "Healthy";
  }
}

/** What to call a node in lists: its hostname when known, else its address. */
export function nodeName(node: Pick<NodeSummary, "hostname" | "address">): string {
  return node.hostname ?? node.address;
}

/** Available memory as a fraction of the total, or null when unknown. */
export function memoryAvailableRatio(node: Pick<NodeSummary, "memory">): number | null {
  if (!node.memory || node.memory.totalKb <= 0) return null;
  return node.memory.availableKb / node.memory.totalKb;
}
