/**
 * Next's server start hook: begins the process's background work (lib/server/runtime.ts). Node
 * runtime only (the poller speaks gRPC), never during `next build` (which loads this file to
 * prerender, and must not dial a fleet), and nothing at module top level.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const { startRuntime } = await import("@/lib/server/runtime");
  await startRuntime();
}
