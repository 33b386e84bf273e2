import { nodeStatus } from "@/components/fleet/node-status";
import type { ClusterHealth, NodeSummary } from "@/lib/schemas/fleet";

export interface FleetHeadline {
  tone: "ok" | "warn" | "danger" | "neutral";
  /** The one sentence an operator reads first, e.g. "1 node offline · etcd at risk in prod". */
  title: string;
  offline: number;
  withProblems: number;
}

function count(n: number, one: string, many: string) {
  return `${n} ${n === 1 ? one : many}`;
}

/** The fleet's state in one sentence and a tone, from the same snapshot the page shows. */
export function fleetHeadline(nodes: readonly NodeSummary[], clusters: readonly ClusterHealth[]): FleetHeadline {
  if (nodes.length === 0) return { tone: "neutral", title: "No nodes known yet", offline: 0, withProblems: 0 };
  let offline = 0;
  let withProblems = 0;
  let critical = false;
  for (const n of nodes) {
    const s = nodeStatus(n);
    if (s === "offline") offline++;
    else if (s !== "healthy") withProblems++;
    if (s === "critical") critical = true;
  }
  const lost = clusters.filter((c) => c.etcd?.quorum === "lost").map((c) => c.name);
  const atRisk = clusters.filter((c) => c.etcd?.quorum === "degraded").map((c) => c.name);
  const parts: string[] = [];
  if (offline > 0) parts.push(`${count(offline, "node", "nodes")} offline`);
  if (withProblems > 0) parts.push(`${count(withProblems, "node", "nodes")} with problems`);
  if (lost.length > 0) parts.push(`etcd quorum lost in ${lost.join(", ")}`);
  if (atRisk.length > 0) parts.push(`etcd at risk in ${atRisk.join(", ")}`);
  if (parts.length === 0) {
    return { tone: "ok", title: `All ${count(nodes.length, "node", "nodes")} healthy`, offline, withProblems };
  }
  const tone = offline > 0 || critical || lost.length > 0 ? "danger" : "warn";
  return { tone, title: parts.join(" · "), offline, withProblems };
}
