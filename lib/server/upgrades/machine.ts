import "server-only";

import type { UpgradeNodeState, UpgradePlanState } from "@/lib/schemas/upgrades";

/**
 * The upgrade state machines, pure: which node and plan transitions are legal, and what the
 * runner should do next given a plan's persisted state. The runner persists each transition
 * before it acts, so after a restart `decide` picks up from the database alone.
 */

/**
 * Node transitions. `pending → installing` is the legacy path (MachineService/Upgrade pulls,
 * drains and reboots itself). On the lifecycle path the drain sits between the install and the
 * reboot: `draining` either goes on to `rebooting` or waits in `drain-blocked` for a person, whose
 * retry, force or skip sends it back to `draining`; a cancel skips a node waiting there, or one
 * whose drain was still running when the cancel came (it is not rebooted).
 */
const NODE_TRANSITIONS: Record<UpgradeNodeState, readonly UpgradeNodeState[]> = {
  pending: ["pulling", "installing", "done", "failed", "skipped"],
  pulling: ["installing", "waiting-healthy", "failed"],
  installing: ["draining", "rebooting", "waiting-healthy", "failed"],
  draining: ["rebooting", "drain-blocked", "waiting-healthy", "failed", "skipped"],
  "drain-blocked": ["draining", "waiting-healthy", "failed", "skipped"],
  rebooting: ["waiting-healthy", "failed"],
  "waiting-healthy": ["done", "failed"],
  done: [],
  failed: [],
  skipped: [],
};

/** In flight: the plan waits for them (a blocked drain included, so nothing else starts meanwhile). */
export const ACTIVE_NODE_STATES: ReadonlySet<UpgradeNodeState> = new Set(["pulling", "installing", "draining", "drain-blocked", "rebooting", "waiting-healthy"]);

/**
 * Whether the plan's loop should (re)start a node's steps: every in-flight node, but a drain
 * that waits for a person only once the plan is being cancelled (its answer moves it back to
 * `draining` itself).
 */
export function needsDriver(state: UpgradeNodeState, planState: UpgradePlanState): boolean {
  return ACTIVE_NODE_STATES.has(state) && (state !== "drain-blocked" || planState === "cancelling");
}

export function canTransitionNode(from: UpgradeNodeState, to: UpgradeNodeState): boolean {
  return NODE_TRANSITIONS[from].includes(to);
}

/** @throws Error on an illegal transition (a bug in the runner, never a user error). */
export function assertNodeTransition(from: UpgradeNodeState, to: UpgradeNodeState): void {
  if (!canTransitionNode(from, to)) throw new Error(`illegal node transition ${from} → ${to}`);
}

export type PlanEvent = "start" | "pause" | "resume" | "cancel" | "finish-cancel" | "fail" | "succeed";

const PLAN_TRANSITIONS: Record<UpgradePlanState, Partial<Record<PlanEvent, UpgradePlanState>>> = {
  pending: { start: "running", cancel: "cancelled", fail: "failed" },
  running: { pause: "paused", cancel: "cancelling", fail: "failed", succeed: "succeeded" },
  // A paused plan still finishes the node in flight, which may fail it.
  paused: { resume: "running", cancel: "cancelling", fail: "failed" },
  cancelling: { "finish-cancel": "cancelled", fail: "failed" },
  cancelled: {},
  failed: {},
  succeeded: {},
};

export const FINAL_PLAN_STATES: ReadonlySet<UpgradePlanState> = new Set(["cancelled", "failed", "succeeded"]);

/** The state after `event`, or null when the event is not allowed in `from`. */
export function planTransition(from: UpgradePlanState, event: PlanEvent): UpgradePlanState | null {
  return PLAN_TRANSITIONS[from][event] ?? null;
}

/** The slice of a plan `decide` reads. */
export interface SchedNode {
  id: string;
  role: "controlplane" | "worker";
  batch: number;
  state: UpgradeNodeState;
  error: string | null;
  label?: string;
}

export interface SchedPlan {
  state: UpgradePlanState;
  stopOnFailure: boolean;
  nodes: SchedNode[];
  /**
   * Nodes the runner has begun but not yet persisted past `pending` (it reads the node's version
   * and boot identity first): in flight all the same, so a cancel or a halt waits for them.
   */
  starting?: ReadonlySet<string>;
}

export type Decision =
  /** Start these pending nodes now. */
  | { kind: "start"; nodes: string[] }
  /** Nodes are in flight (or the plan is paused): wait for a change. */
  | { kind: "wait" }
  /** Persist this plan transition; `skip` pending nodes become skipped. */
  | { kind: "finish"; event: "succeed" | "fail" | "finish-cancel"; reason: string | null; skip: string[] };

/**
 * What to do next (pure). Batches run strictly in order: a batch starts only when every node of
 * the batches before it is final, so at most one control plane (a batch of one) and at most
 * `maxParallelWorkers` workers are ever in flight. A failure halts scheduling when
 * `stopOnFailure` is set or the node is a control plane; the plan fails once nothing is in flight.
 */
export function decide(plan: SchedPlan): Decision {
  const starting = (n: SchedNode) => n.state === "pending" && (plan.starting?.has(n.id) ?? false);
  const inFlight = plan.nodes.filter((n) => ACTIVE_NODE_STATES.has(n.state) || starting(n));
  const pending = plan.nodes.filter((n) => n.state === "pending" && !starting(n));
  const failed = plan.nodes.filter((n) => n.state === "failed");
  const halting = failed.filter((n) => plan.stopOnFailure || n.role === "controlplane");

  if (FINAL_PLAN_STATES.has(plan.state)) return { kind: "wait" };
  if (inFlight.length > 0) return { kind: "wait" };

  const skipAll = pending.map((n) => n.id);
  if (plan.state === "cancelling") return { kind: "finish", event: "finish-cancel", reason: "cancelled by the operator", skip: skipAll };
  if (halting.length > 0) return { kind: "finish", event: "fail", reason: failureReason(halting), skip: skipAll };
  if (plan.state !== "running") return { kind: "wait" };

  if (pending.length === 0) {
    if (failed.length > 0) return { kind: "finish", event: "fail", reason: `${failed.length} of ${plan.nodes.length} nodes failed: ${failureReason(failed)}`, skip: [] };
    return { kind: "finish", event: "succeed", reason: null, skip: [] };
  }
  const batch = Math.min(...pending.map((n) => n.batch));
  return { kind: "start", nodes: pending.filter((n) => n.batch === batch).map((n) => n.id) };
}

function failureReason(failed: SchedNode[]): string {
  return failed.map((n) => `${n.label ?? n.id}: ${n.error ?? "failed"}`).join("; ");
}
