import "server-only";

/**
 * Rolling Talos upgrades: the pure planner (./plan) and state machines (./machine, ./health),
 * the resumable runner (./runner, with ./drives, ./plan-loop, ./node-steps; its Talos reads in
 * ./probes) over the store (./repository), one replica driving each plan under a lease, and the
 * process-wide service. What rollouts share with it lives in lib/server/jobs.
 */
export { getUpgradeRunner, startUpgradeRunner, withUpgradeRunner } from "./service";
export type { UpgradeTalos } from "./probes";
export { UpgradeRunner, type RunnerDeps } from "./runner";
