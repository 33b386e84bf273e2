import type { BulkAction, BulkNodeState, BulkRun, BulkRunState } from "@/lib/schemas/bulk";

/** Words for bulk runs, shared by the selection bar, the dialog and the progress page. Pure. */

export type Tone = "ok" | "warn" | "danger" | "info" | "neutral";

export const ACTION_LABEL: Record<BulkAction, string> = {
  reboot: "Reboot",
  "service-restart": "Restart service",
  cordon: "Cordon",
  uncordon: "Uncordon",
  upgrade: "Upgrade Talos",
  "apply-patch": "Apply patch",
};

export const RUN_STATE: Record<BulkRunState, { label: string; tone: Tone }> = {
  running: { label: "Running", tone: "info" },
  paused: { label: "Paused", tone: "warn" },
  done: { label: "Done", tone: "ok" },
  failed: { label: "Stopped at a failure", tone: "danger" },
  cancelled: { label: "Cancelled", tone: "neutral" },
};

export const NODE_STATE: Record<BulkNodeState, { label: string; tone: Tone }> = {
  pending: { label: "Waiting", tone: "neutral" },
  running: { label: "Acting", tone: "info" },
  "waiting-healthy": { label: "Coming back", tone: "info" },
  done: { label: "Done", tone: "ok" },
  failed: { label: "Failed", tone: "danger" },
  skipped: { label: "Skipped", tone: "neutral" },
};

/** "3 of 5 done, 1 in progress, 1 failed". */
export function progressText(run: Pick<BulkRun, "nodes">): string {
  const count = (...s: BulkNodeState[]) => run.nodes.filter((n) => s.includes(n.state)).length;
  const parts = [`${count("done")} of ${run.nodes.length} done`];
  const active = count("running", "waiting-healthy");
  if (active) parts.push(`${active} in progress`);
  const failed = count("failed");
  if (failed) parts.push(`${failed} failed`);
  const skipped = count("skipped");
  if (skipped) parts.push(`${skipped} skipped`);
  return parts.join(", ");
}

/** The run's title: "Reboot of 4 nodes of prod (role = worker)". */
export function runTitle(run: Pick<BulkRun, "action" | "cluster" | "selection" | "params"> & { nodes?: unknown[] }): string {
  const what = run.action === "service-restart" && run.params.service ? `Restart of ${run.params.service}` : `${ACTION_LABEL[run.action]}`;
  const count = run.nodes ? ` of ${run.nodes.length} node${run.nodes.length === 1 ? "" : "s"}` : "";
  return `${what}${count} in ${run.cluster}`;
}
