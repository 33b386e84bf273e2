/**
 * Next's server start hook: begins the process's background work. Node runtime only (the poller
 * speaks gRPC), never during `next build` (which loads this file to prerender, and must not dial
 * a fleet), and nothing at module top level.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const [{ startFleetPoller }, { startCertScanner }, { startUpgradeRunner }, { startRolloutRunner }, { startDriftChecker }, { templateSecretsPool }, { startHousekeeping }] = await Promise.all([
    import("@/lib/server/fleet/service"),
    import("@/lib/server/certs/service"),
    import("@/lib/server/upgrades/service"),
    import("@/lib/server/configs/rollouts/runner"),
    import("@/lib/server/configs/drift"),
    import("@/lib/server/configs/template"),
    import("@/lib/server/housekeeping"),
  ]);
  // Loading the talosconfig is quick; the first sweep is not awaited, so the server is ready at once.
  await startFleetPoller().catch((e: unknown) => console.error("[minos] the fleet poller could not start", e));
  // Each runner resumes what it persisted; one failing to start must not keep the others down.
  const starts: [string, () => unknown][] = [
    ["certificate scanner", () => startCertScanner()],
    ["upgrade runner", () => startUpgradeRunner()],
    ["rollout runner", () => startRolloutRunner()],
    ["drift checker", () => startDriftChecker()],
    // Config templates' key material (RSA-4096), made ahead of time off the request path.
    ["template key pool", () => templateSecretsPool().fill()],
    ["audit retention", () => startHousekeeping()],
  ];
  for (const [name, start] of starts) {
    try {
      start();
    } catch (e) {
      console.error(`[minos] the ${name} could not start`, e);
    }
  }
}
