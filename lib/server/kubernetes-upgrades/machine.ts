import "server-only";

import type { KubernetesUpgradeProgress, KubernetesUpgradeStepState } from "@/lib/schemas/kubernetes-upgrades";
import type { UpgradePlanState } from "@/lib/schemas/upgrades";

export { FINAL_PLAN_STATES, planTransition, type PlanEvent } from "@/lib/server/upgrades/machine";

/**
 * The Kubernetes upgrade's step machine, pure. Unlike a Talos upgrade (batches of nodes), it is a
 * strict sequence as upgrade-k8s runs it: one step at a time, and the first failure halts the
 * plan (a half-upgraded control plane must not go on). The plan's own states and transitions are
 * the Talos upgrades' (lib/server/upgrades/machine), so pause, resume and cancel behave alike.
 */

const STEP_TRANSITIONS: Record<KubernetesUpgradeStepState, readonly KubernetesUpgradeStepState[]> = {
  pending: ["running", "done", "failed", "skipped"],
  running: ["waiting", "done", "failed"],
  waiting: ["done", "failed"],
  done: [],
  failed: [],
  skipped: [],
};

export const ACTIVE_STEP_STATES: ReadonlySet<KubernetesUpgradeStepState> = new Set(["running", "waiting"]);

export function canTransitionStep(from: KubernetesUpgradeStepState, to: KubernetesUpgradeStepState): boolean {
  return STEP_TRANSITIONS[from].includes(to);
}

/** @throws Error on an illegal transition (a bug in the runner, never a user error). */
export function assertStepTransition(from: KubernetesUpgradeStepState, to: KubernetesUpgradeStepState): void {
  if (!canTransitionStep(from, to)) throw new Error(`illegal step transition ${from} → ${to}`);
}

export interface SchedStep {
  index: number;
  state: KubernetesUpgradeStepState;
  error: string | null;
  label: string;
}

export type StepDecision =
  | { kind: "start"; step: number }
  | { kind: "wait" }
  | { kind: "finish"; event: "succeed" | "fail" | "finish-cancel"; reason: string | null; skip: number[] };

/**
 * What to do next (pure). A step in flight (persisted `running`/`waiting`, or being started) is
 * always finished first, also when the plan is paused or cancelling; then a cancel skips the
 * rest, a failure fails the plan, and a running plan starts the lowest pending step.
 */
export function decideStep(plan: { state: UpgradePlanState; steps: SchedStep[]; starting?: number | null }): StepDecision {
  if (plan.state === "cancelled" || plan.state === "failed" || plan.state === "succeeded") return { kind: "wait" };
  const inFlight = plan.steps.some((s) => ACTIVE_STEP_STATES.has(s.state)) || (plan.starting ?? null) !== null;
  if (inFlight) return { kind: "wait" };
  const pending = plan.steps.filter((s) => s.state === "pending").sort((a, b) => a.index - b.index);
  const skip = pending.map((s) => s.index);
  if (plan.state === "cancelling") return { kind: "finish", event: "finish-cancel", reason: "cancelled by the operator", skip };
  const failed = plan.steps.filter((s) => s.state === "failed");
  if (failed.length > 0) return { kind: "finish", event: "fail", reason: failed.map((s) => `${s.label}: ${s.error ?? "failed"}`).join("; "), skip };
  if (plan.state !== "running") return { kind: "wait" };
  if (pending.length === 0) return { kind: "finish", event: "succeed", reason: null, skip: [] };
  return { kind: "start", step: pending[0]!.index };
}

/** Progress and ETA: the mean duration of the finished steps times the steps left. */
export function kubernetesProgress(steps: { state: KubernetesUpgradeStepState; startedAt: string | null; finishedAt: string | null }[], now: number): KubernetesUpgradeProgress {
  const total = steps.length;
  const done = steps.filter((s) => s.state === "done").length;
  const skipped = steps.filter((s) => s.state === "skipped").length;
  const failed = steps.filter((s) => s.state === "failed").length;
  const inFlight = steps.filter((s) => ACTIVE_STEP_STATES.has(s.state)).length;
  const durations = steps
    .filter((s) => s.state === "done" && s.startedAt && s.finishedAt)
    .map((s) => Math.max(0, Date.parse(s.finishedAt!) - Date.parse(s.startedAt!)) / 1000);
  const left = steps.filter((s) => s.state === "pending" || ACTIVE_STEP_STATES.has(s.state));
  let etaSeconds: number | null = null;
  if (durations.length > 0 && failed === 0) {
    const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
    const running = left.find((s) => ACTIVE_STEP_STATES.has(s.state) && s.startedAt);
    const spent = running ? Math.max(0, now - Date.parse(running.startedAt!)) / 1000 : 0;
    etaSeconds = Math.max(0, Math.round(mean * left.length - Math.min(spent, mean)));
  }
  return { total, done, skipped, failed, inFlight, percent: total === 0 ? 100 : Math.round((done / total) * 1000) / 10, etaSeconds };
}
