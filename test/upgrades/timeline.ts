/**
 * Reads a simulator timeline for the upgrade tests and the benchmark: how many nodes of each role
 * were not running at once, and per-node upgrade and reboot durations.
 */
import type { SimNodeInfo, TimelineEntry } from "@/lib/simulator/fleet";

/** The most control planes and workers that were out of the `running` stage at the same time. */
export function maxConcurrentlyDown(timeline: TimelineEntry[], nodes: SimNodeInfo[]): { controlplane: number; worker: number } {
  const role = new Map(nodes.map((n) => [n.address, n.role]));
  const down = new Set<string>();
  const max = { controlplane: 0, worker: 0 };
  for (const e of [...timeline].sort((a, b) => a.time - b.time)) {
    if (e.event !== "stage" && e.event !== "lost") continue;
    if (e.event === "lost" || e.stage !== "running") down.add(e.node);
    else down.delete(e.node);
    for (const r of ["controlplane", "worker"] as const) {
      max[r] = Math.max(max[r], [...down].filter((a) => role.get(a) === r).length);
    }
  }
  return max;
}

/** Timeline entries of one kind per node address. */
export function countEvents(timeline: TimelineEntry[], event: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of timeline) if (e.event === event) out.set(e.node, (out.get(e.node) ?? 0) + 1);
  return out;
}

/**
 * The simulator's own work per node, in ms: the install (`upgrade` → `installed`) plus the reboot
 * (stage `rebooting` → `ready` again). What is left of the wall time is orchestration.
 */
export function simulatedWorkMs(timeline: TimelineEntry[]): number {
  let total = 0;
  const started = new Map<string, number>();
  const rebooting = new Map<string, number>();
  for (const e of [...timeline].sort((a, b) => a.time - b.time)) {
    if (e.event === "upgrade") started.set(e.node, e.time);
    else if (e.event === "installed" && started.has(e.node)) {
      total += e.time - started.get(e.node)!;
      started.delete(e.node);
    } else if (e.event === "stage" && e.stage === "rebooting") rebooting.set(e.node, e.time);
    else if (e.event === "ready" && rebooting.has(e.node)) {
      total += e.time - rebooting.get(e.node)!;
      rebooting.delete(e.node);
    }
  }
  return total;
}
