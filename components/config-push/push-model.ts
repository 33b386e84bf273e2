/**
 * The pure rules behind the push screens: what each apply mode does in words, when a preflight
 * still vouches for the text in the editor, and how a TRY countdown reads. No React, no fetch,
 * so the rules are unit-tested on their own.
 */
import { applyModeSchema, type ApplyMode, type PreflightResponse, type RevisionResult, type RolloutNodeState, type RolloutState } from "@/lib/schemas/configs";

export const APPLY_MODES: readonly ApplyMode[] = applyModeSchema.options;

/** A mode's name as the operator reads it next to the choice. */
export const MODE_LABEL: Record<ApplyMode, string> = {
  auto: "Auto",
  "no-reboot": "No reboot",
  staged: "Staged",
  try: "Try",
  reboot: "Reboot",
};

/** One sentence per mode, shown next to the choice: what the node will do. */
export function modeExplanation(mode: ApplyMode, tryTimeoutSeconds: number): string {
  switch (mode) {
    case "auto":
      return "Talos decides: applies now without a reboot when it can, and reboots the node only if a change needs it.";
    case "no-reboot":
      return "Applies now without a reboot. The node refuses the config if a change would need one.";
    case "staged":
      return "Saved on the node and used from its next reboot on. Nothing changes now.";
    case "try":
      return `Applied now for ${durationWords(tryTimeoutSeconds)}, then the node reverts by itself unless you keep it. For risky network changes.`;
    case "reboot":
      return "Applies the config and reboots the node. Its workloads stop until it is back.";
  }
}

/** "2 min", "90 s", "1 h", "1 h 5 min": short, for sentences. */
export function durationWords(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60 || (s < 600 && s % 60 !== 0)) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** The identity of what a preflight checked: any edit, mode or timeout change makes a new one. */
export interface PreflightSubject {
  node: string;
  yaml: string;
  mode: ApplyMode;
  tryTimeoutSeconds: number;
}

export function sameSubject(a: PreflightSubject, b: PreflightSubject): boolean {
  // The TRY timeout only matters in TRY mode; changing it otherwise keeps the preflight valid.
  return a.node === b.node && a.yaml === b.yaml && a.mode === b.mode && (a.mode !== "try" || a.tryTimeoutSeconds === b.tryTimeoutSeconds);
}

/** Why Apply is not available yet, or null when it is. */
export function applyBlocker(input: {
  /** Local validation of exactly this text is done. */
  validated: boolean;
  localErrors: number;
  preflight: { subject: PreflightSubject; result: PreflightResponse } | null;
  current: PreflightSubject;
  applying: boolean;
}): string | null {
  if (input.applying) return "An apply is under way.";
  if (!input.validated) return "Checking the config…";
  if (input.localErrors > 0) return `Fix the ${input.localErrors === 1 ? "error" : `${input.localErrors} errors`} in the editor first.`;
  if (!input.preflight) return "Run a preflight on the node first.";
  if (!sameSubject(input.preflight.subject, input.current)) return "The config or mode changed since the preflight: run it again.";
  if (!input.preflight.result.ok) return "The node refused this config in the preflight.";
  if (input.preflight.result.unchanged) return "The node already runs this config.";
  return null;
}

/** Seconds left until `until` at `now` (never negative). */
export function secondsLeft(until: string | Date, now: number): number {
  const t = typeof until === "string" ? Date.parse(until) : until.getTime();
  return Math.max(0, Math.ceil((t - now) / 1000));
}

/** "1:05" for a countdown. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export type Tone = "ok" | "warn" | "danger" | "info" | "neutral";

/** A revision's result in words and tone (the icon comes with the tone). */
export const REVISION_RESULT: Record<RevisionResult, { label: string; tone: Tone; hint: string }> = {
  pending: { label: "Applying", tone: "info", hint: "The apply is in flight." },
  applied: { label: "Applied", tone: "ok", hint: "The node runs this config." },
  staged: { label: "Staged", tone: "info", hint: "The node uses this config from its next reboot." },
  trying: { label: "Trying", tone: "warn", hint: "Applied on trial: the node reverts unless it is kept." },
  kept: { label: "Kept", tone: "ok", hint: "A TRY apply that was kept." },
  reverted: { label: "Reverted", tone: "neutral", hint: "A TRY apply the node rolled back." },
  failed: { label: "Failed", tone: "danger", hint: "The node refused or failed the apply." },
};

export const ROLLOUT_STATE: Record<RolloutState, { label: string; tone: Tone }> = {
  preflight: { label: "Preflight", tone: "info" },
  "preflight-failed": { label: "Preflight failed, nothing applied", tone: "danger" },
  running: { label: "Running", tone: "info" },
  paused: { label: "Paused", tone: "warn" },
  done: { label: "Done", tone: "ok" },
  failed: { label: "Stopped at a failure", tone: "danger" },
  cancelled: { label: "Cancelled", tone: "neutral" },
};

export const ROLLOUT_NODE_STATE: Record<RolloutNodeState, { label: string; tone: Tone }> = {
  pending: { label: "Waiting", tone: "neutral" },
  "preflight-ok": { label: "Preflight passed", tone: "info" },
  "preflight-failed": { label: "Preflight failed", tone: "danger" },
  draining: { label: "Draining", tone: "info" },
  "drain-blocked": { label: "Drain blocked", tone: "warn" },
  applying: { label: "Applying", tone: "info" },
  "waiting-healthy": { label: "Waiting for healthy", tone: "info" },
  done: { label: "Done", tone: "ok" },
  failed: { label: "Failed", tone: "danger" },
  skipped: { label: "Skipped", tone: "neutral" },
};

/** Counts for the rollout summary line, in table order. */
export function rolloutCounts(states: readonly RolloutNodeState[]): { done: number; failed: number; active: number; waiting: number; skipped: number } {
  const c = { done: 0, failed: 0, active: 0, waiting: 0, skipped: 0 };
  for (const s of states) {
    if (s === "done") c.done++;
    else if (s === "failed" || s === "preflight-failed") c.failed++;
    else if (s === "applying" || s === "waiting-healthy" || s === "draining" || s === "drain-blocked") c.active++;
    else if (s === "skipped") c.skipped++;
    else c.waiting++;
  }
  return c;
}
