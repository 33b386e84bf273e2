/**
 * Next's server start hook: begins the process's background work. Node runtime only (the poller
 * speaks gRPC), never during `next build` (which loads this file to prerender, and must not dial
 * a fleet), and nothing at module top level.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const { startFleetPoller } = await import("@/lib/server/fleet/service");
  // Loading the talosconfig is quick; the first sweep is not awaited, so the server is ready at once.
  await startFleetPoller().catch((e: unknown) => console.error("[minos] the fleet poller could not start", e));
}
