import "server-only";

import type { BulkNodeState, BulkRunState } from "@/lib/schemas/bulk";

/**
 * The pure core of a bulk run: which nodes start now and when the run is over. The same safety
 * as config rollouts (lib/server/configs/rollouts/plan.ts): control planes strictly one at a
 * time and alone (a control plane down and a worker draining at once is how a cluster loses both
 * its API and capacity), then workers up to `concurrency`; nothing new after an unacknowledged
 * failure unless `continueOnFailure`.
 */

export interface PlanRun {
  state: BulkRunState;
  concurrency: number;
  continueOnFailure: boolean;
  /** Failures a person saw and resumed past. */
  failuresAllowed: number;
}

export interface PlanNode {
  id: string;
  role: "controlplane" | "worker";
  state: BulkNodeState;
}

export const ACTIVE_STATES: readonly BulkNodeState[] = ["running", "waiting-healthy"];

/** Control planes first (etcd quorum is the riskiest part), then workers, each in the given order. */
export function orderNodes<T extends { role: "controlplane" | "worker" }>(nodes: readonly T[]): T[] {
  return [...nodes.filter((n) => n.role === "controlplane"), ...nodes.filter((n) => n.role === "worker")];
}

/** The batch each node (in {@link orderNodes} order) goes in: each control plane alone, workers `concurrency` at a time. */
export function batchesOf<T extends { role: "controlplane" | "worker" }>(ordered: readonly T[], concurrency: number): number[] {
  const cps = ordered.filter((n) => n.role === "controlplane").length;
  let w = 0;
  return ordered.map((n, i) => (n.role === "controlplane" ? i : cps + Math.floor(w++ / Math.max(1, concurrency))));
}

export function blockingFailures(r: PlanRun, nodes: readonly PlanNode[]): number {
  if (r.continueOnFailure) return 0;
  return Math.max(0, nodes.filter((n) => n.state === "failed").length - r.failuresAllowed);
}

/** Which nodes to start now (none while the run is not `running` or a failure stops it). */
export function nextToStart(r: PlanRun, nodes: readonly PlanNode[]): string[] {
  if (r.state !== "running" || blockingFailures(r, nodes) > 0) return [];
  const active = nodes.filter((n) => ACTIVE_STATES.includes(n.state));
  const pending = nodes.filter((n) => n.state === "pending");
  const cp = pending.find((n) => n.role === "controlplane");
  if (cp || active.some((n) => n.role === "controlplane")) return cp && active.length === 0 ? [cp.id] : [];
  const slots = Math.max(0, r.concurrency - active.length);
  return pending
    .filter((n) => n.role === "worker")
    .slice(0, slots)
    .map((n) => n.id);
}

/** The run's state once nothing is active and nothing can start; unchanged otherwise. */
export function settledState(r: PlanRun, nodes: readonly PlanNode[]): BulkRunState {
  if (r.state !== "running") return r.state;
  if (nodes.some((n) => ACTIVE_STATES.includes(n.state)) || nextToStart(r, nodes).length > 0) return "running";
  if (blockingFailures(r, nodes) > 0) return "failed";
  if (nodes.some((n) => n.state === "pending")) return "running";
  return nodes.some((n) => n.state === "failed") ? "failed" : "done";
}
