/**
 * The cluster page's words and rules, pure: what each plan change, drift state and revision
 * source is called, when Apply is allowed, and the nodes a manifest text lists.
 */
import { parse } from "yaml";

import type { Tone } from "@/components/config-push/push-model";
import type { PlanResponse } from "@/lib/schemas/manifests";

type PlanChange = PlanResponse["nodes"][number]["change"];
export type DriftState = "in-sync" | "drifted" | "unreachable" | "not-in-manifest" | "missing";
export type RevisionSource = "adopt" | "edit" | "apply" | "restore";

export const PLAN_CHANGE: Record<PlanChange, { label: string; tone: Tone; hint: string }> = {
  none: { label: "No change", tone: "neutral", hint: "The node already runs this config." },
  update: { label: "Update", tone: "info", hint: "The node accepts the new config (its dry run said so)." },
  refused: { label: "Refused", tone: "danger", hint: "The node, or Minos's own checks, refused this config: nothing can be applied until it is fixed." },
  unreachable: { label: "Unreachable", tone: "warn", hint: "Minos could not ask the node: nothing can be applied until it answers." },
};

export const DRIFT_STATE: Record<DriftState, { label: string; tone: Tone; hint: string }> = {
  "in-sync": { label: "In sync", tone: "ok", hint: "The node runs exactly what the manifest renders for it." },
  drifted: { label: "Drifted", tone: "warn", hint: "The node's running config differs from the manifest's render: changed outside Minos, or not applied yet." },
  unreachable: { label: "Unreachable", tone: "danger", hint: "Minos could not read the node's running config." },
  "not-in-manifest": { label: "Not in manifest", tone: "info", hint: "The talosconfig names this node but the manifest does not: add it to the manifest to manage it." },
  missing: { label: "Missing", tone: "danger", hint: "The manifest lists this node but the cluster's talosconfig does not reach it." },
};

export const REVISION_SOURCE: Record<RevisionSource, string> = {
  adopt: "Adopted from the running nodes",
  edit: "Saved from the editor",
  apply: "Applied (plan → rollout)",
  restore: "Restored from an older revision",
};

/** Why Apply is off for this plan, or null. `changedSince`: the editor text differs from the planned one. */
export function applyBlocker(plan: PlanResponse, changedSince: boolean): string | null {
  const { refused, unreachable } = plan.summary;
  if (refused > 0 || unreachable > 0) {
    const parts = [refused ? `${refused} node${refused === 1 ? " refuses" : "s refuse"} the config` : "", unreachable ? `${unreachable} node${unreachable === 1 ? " is" : "s are"} unreachable` : ""].filter(Boolean);
    return `Cannot apply: ${parts.join(" and ")}. Fix the manifest (or the node) and plan again.`;
  }
  if (changedSince) return "The manifest changed since this plan: plan again before applying.";
  return null;
}

/** One line for the plan's totals, e.g. "2 to update (1 with a reboot), 3 unchanged". */
export function planSummaryText(plan: PlanResponse): string {
  const s = plan.summary;
  const parts: string[] = [];
  if (s.update) parts.push(`${s.update} to update${s.reboot ? ` (${s.reboot} with a reboot)` : " without a reboot"}`);
  if (s.none) parts.push(`${s.none} unchanged`);
  if (s.refused) parts.push(`${s.refused} refused`);
  if (s.unreachable) parts.push(`${s.unreachable} unreachable`);
  return parts.join(", ") || "No nodes";
}

export interface ListedNode {
  hostname: string;
  address: string;
  role: string;
}

/** The nodes a manifest text lists (for the node picker), or null when it does not parse that far. */
export function manifestNodes(text: string): ListedNode[] | null {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch {
    return null;
  }
  const nodes = (doc as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return null;
  const out: ListedNode[] = [];
  for (const n of nodes) {
    if (typeof n !== "object" || n === null) continue;
    const { hostname, address, role } = n as Record<string, unknown>;
    if (typeof address !== "string" || !address) continue;
    out.push({ address, hostname: typeof hostname === "string" ? hostname : address, role: typeof role === "string" ? role : "?" });
  }
  return out;
}
