import type { NodeStage } from "@/lib/schemas/fleet";

/**
 * What became of a node after a reboot, shutdown or reset was accepted, from the fleet snapshot
 * the page keeps live (pure: a reducer over the summaries as they arrive). Talos answers at once
 * and works in the background, so the page watches the node go down and (for a reboot, or a
 * reset that reboots) come back.
 */

export type PowerActionKind = "reboot" | "shutdown" | "reset";

export type Phase = "sent" | "down" | "back" | "off" | "maintenance";

export interface Observed {
  reachable: boolean;
  stage: NodeStage;
  bootId: string | null;
}

export interface Tracking {
  kind: PowerActionKind;
  /** The reset reboots (else it halts). */
  reboots: boolean;
  /** The boot before the action (the response's), to tell "back" from "not gone yet". */
  bootIdBefore: string | null;
  phase: Phase;
}

// A boot identity may be `boot-time:<s>` (older Talos): only a plain BootID compares with the summary's.
const plain = (id: string | null) => (id !== null && !id.startsWith("boot-time:") ? id : null);

/** The phase after one more look at the node. Never goes backwards. */
export function advance(t: Tracking, n: Observed): Tracking {
  const before = plain(t.bootIdBefore);
  const newBoot = before !== null && n.bootId !== null && n.bootId !== before;
  const gone = !n.reachable || n.stage !== "running" || newBoot;
  const up = n.reachable && n.stage === "running";
  let phase = t.phase;
  if (phase === "sent" && gone) phase = "down";
  if (t.kind === "shutdown" && phase === "down" && !n.reachable) phase = "off";
  if (t.kind === "reset" && (phase === "down" || phase === "sent") && n.reachable && n.stage === "maintenance") phase = "maintenance";
  if (t.kind === "reset" && !t.reboots && phase === "down" && !n.reachable) phase = "off";
  if (t.kind === "reboot" && phase === "down" && up && (before === null || newBoot)) phase = "back";
  return phase === t.phase ? t : { ...t, phase };
}

/** Whether the phase is final for the action. */
export function finished(t: Tracking): boolean {
  return t.phase === "back" || t.phase === "off" || t.phase === "maintenance";
}

/** One sentence for the page (shown with an icon, never by colour alone). */
export function phaseText(t: Tracking, name: string): string {
  switch (t.phase) {
    case "sent":
      return t.kind === "reboot" ? `Reboot accepted: waiting for ${name} to go down` : t.kind === "shutdown" ? `Shutdown accepted: waiting for ${name} to power off` : `Reset accepted: waiting for ${name} to go down`;
    case "down":
      return t.kind === "reboot" ? `${name} is down: waiting for it to come back` : t.kind === "shutdown" ? `${name} is shutting down` : `${name} is resetting`;
    case "back":
      return `${name} is back: running on a new boot`;
    case "off":
      return t.kind === "shutdown" ? `${name} is powered off: it stays off until it is powered on` : `${name} was wiped and halted`;
    case "maintenance":
      return `${name} was wiped and is in maintenance mode, waiting for a config`;
  }
}
