import "server-only";

/**
 * Rolling Talos upgrades: the pure planner (./plan) and state machines (./machine, ./health),
 * the resumable runner (./runner) over SQLite (./repository), and the process-wide service.
 */
export { getUpgradeRunner, startUpgradeRunner, withUpgradeRunner } from "./service";
export { UpgradeRunner, realClock, type Clock, type RunnerDeps, type UpgradeTalos } from "./runner";
