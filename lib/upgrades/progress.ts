/**
 * Progress and ETA of an upgrade plan from its node rows. Pure and isomorphic: the server fills
 * the API's `progress`, the live view recomputes elapsed times between updates.
 */

export interface ProgressNode {
  role: "controlplane" | "worker";
  batch: number;
  state: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface PlanProgress {
  total: number;
  /** Upgraded (or already on the target): state `done`. */
  done: number;
  skipped: number;
  failed: number;
  inFlight: number;
  percent: number;
  etaSeconds: number | null;
}

const FINAL = new Set(["done", "failed", "skipped"]);
const IN_FLIGHT = new Set(["pulling", "installing", "draining", "drain-blocked", "rebooting", "waiting-healthy"]);

function mean(xs: number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * Counts, and an ETA: every batch not finished yet takes the mean observed duration of finished
 * nodes of its role (the other role's mean, or the overall one, until one has finished); the
 * batch in flight is credited with the time it has run. Null before any node has finished.
 */
export function computeProgress(nodes: ProgressNode[], now: number): PlanProgress {
  const total = nodes.length;
  const done = nodes.filter((n) => n.state === "done").length;
  const skipped = nodes.filter((n) => n.state === "skipped").length;
  const failed = nodes.filter((n) => n.state === "failed").length;
  const inFlight = nodes.filter((n) => IN_FLIGHT.has(n.state)).length;
  // The share of the selection that is upgraded: a halted plan does not look complete.
  const percent = total === 0 ? 100 : Math.round((done / total) * 1000) / 10;

  const durations = (role?: string) =>
    nodes
      .filter((n) => n.state === "done" && n.startedAt && n.finishedAt && (role === undefined || n.role === role))
      .map((n) => (Date.parse(n.finishedAt!) - Date.parse(n.startedAt!)) / 1000);
  const overall = mean(durations());
  const finished = done + failed + skipped === total;
  if (overall === null) return { total, done, skipped, failed, inFlight, percent, etaSeconds: finished ? 0 : null };
  const byRole = { controlplane: mean(durations("controlplane")) ?? overall, worker: mean(durations("worker")) ?? overall };

  const batches = new Map<number, ProgressNode[]>();
  for (const n of nodes) batches.set(n.batch, [...(batches.get(n.batch) ?? []), n]);
  let eta = 0;
  for (const members of batches.values()) {
    const open = members.filter((n) => !FINAL.has(n.state));
    if (open.length === 0) continue;
    const expected = byRole[members[0]!.role];
    const started = open.map((n) => (n.startedAt ? (now - Date.parse(n.startedAt)) / 1000 : 0));
    // Batch members start together; the batch has run as long as its oldest member.
    eta += Math.max(0, expected - Math.max(...started));
  }
  return { total, done, skipped, failed, inFlight, percent, etaSeconds: Math.round(eta) };
}

/** "1 h 5 min", "4 min 10 s", "12 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min${s % 60 ? ` ${s % 60} s` : ""}`;
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}`;
}
