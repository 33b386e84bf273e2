import "server-only";

/**
 * CA rotation, the flow of `talosctl rotate-ca`: the pure config patches (./patch) and step plan
 * (./plan), the resumable runner (./runner, its steps in ./steps) over the store (./repository),
 * the sealed secrets (./secrets), Minos's talosconfig replacement (./talosconfig) and the
 * process-wide service (./service).
 */
export { getCaRotationRunner, startCaRotationRunner, withCaRotationRunner } from "./service";
export { CaRotationRunner, type CaRotationDeps } from "./runner";
