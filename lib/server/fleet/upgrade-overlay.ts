import "server-only";

import type { ClusterUpgradeProgress, UpgradePlan } from "@/lib/schemas/upgrades";
import { subscribe } from "@/lib/server/platform/events";

const LIVE_PLAN_STATES: ReadonlySet<UpgradePlan["state"]> = new Set(["pending", "running", "paused", "cancelling"]);

/** A plan as its cluster's roll-up shows it ("upgrading 3/8"), or null once it is over. */
export function upgradeProgress(plan: UpgradePlan): ClusterUpgradeProgress | null {
  if (!LIVE_PLAN_STATES.has(plan.state)) return null;
  return { planId: plan.id, state: plan.state, total: plan.nodes.length, done: plan.nodes.filter((n) => n.state === "done").length };
}

/**
 * Keeps cluster roll-ups showing the live upgrade, from the runner's `upgrade` events on the bus:
 * the upgrade runner reports, fleet listens, and neither imports the other.
 * @returns the unsubscribe function.
 */
export function followUpgrades(target: { setClusterUpgrade(cluster: string, progress: ClusterUpgradeProgress | null): void }): () => void {
  return subscribe("upgrade", ({ plan }) => target.setClusterUpgrade(plan.cluster, upgradeProgress(plan)));
}
