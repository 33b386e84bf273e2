import "server-only";

import type { RolloutNodeState, RolloutState } from "@/lib/schemas/configs";

/** The part of a rollout the planner reads. */
export interface PlanRollout {
  state: RolloutState;
  concurrency: number;
  continueOnFailure: boolean;
  /** Failures the operator has already seen and chose to continue past (`resume` after a stop). */
  failuresAllowed: number;
}

export interface PlanNode {
  id: string;
  role: "controlplane" | "worker";
  state: RolloutNodeState;
}

/** Nodes in flight; a drain waiting for a person holds its slot (nothing else starts meanwhile). */
const ACTIVE: RolloutNodeState[] = ["draining", "drain-blocked", "applying", "waiting-healthy"];

/** Control planes first (etcd quorum is the riskiest part), then workers, each in the given order. */
export function orderTargets<T extends { role: "controlplane" | "worker" }>(nodes: T[]): T[] {
  return [...nodes.filter((n) => n.role === "controlplane"), ...nodes.filter((n) => n.role === "worker")];
}

/** The failures that stop the rollout: every failure beyond those the operator continued past. */
export function blockingFailures(r: PlanRollout, nodes: PlanNode[]): number {
  if (r.continueOnFailure) return 0;
  return Math.max(0, nodes.filter((n) => n.state === "failed").length - r.failuresAllowed);
}

/**
 * Which nodes to start now. Control planes go strictly one at a time and before any worker;
 * workers fill up to `concurrency` slots. Nothing starts while the rollout is not running or
 * after an unacknowledged failure (unless `continueOnFailure`).
 */
export function nextToStart(r: PlanRollout, nodes: PlanNode[]): string[] {
  if (r.state !== "running" || blockingFailures(r, nodes) > 0) return [];
  const active = nodes.filter((n) => ACTIVE.includes(n.state));
  const ready = nodes.filter((n) => n.state === "preflight-ok");
  const cpReady = ready.filter((n) => n.role === "controlplane");
  const cpBusy = active.some((n) => n.role === "controlplane");
  if (cpReady.length > 0 || cpBusy) return cpBusy || active.length > 0 ? [] : [cpReady[0]!.id];
  const slots = Math.max(0, r.concurrency - active.length);
  return ready.filter((n) => n.role === "worker").slice(0, slots).map((n) => n.id);
}

/**
 * The rollout's state once nothing is active and nothing can start: `done` when every node
 * finished, `failed` when a failure stopped it (or nodes failed along the way), else unchanged.
 */
export function settledState(r: PlanRollout, nodes: PlanNode[]): RolloutState {
  if (r.state !== "running") return r.state;
  if (nodes.some((n) => ACTIVE.includes(n.state)) || nextToStart(r, nodes).length > 0) return "running";
  if (blockingFailures(r, nodes) > 0) return "failed";
  if (nodes.some((n) => n.state === "preflight-ok")) return "running";
  return nodes.some((n) => n.state === "failed") ? "failed" : "done";
}
