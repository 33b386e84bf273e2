import "server-only";

import { registerDefaultAlertSourceMetrics } from "@/lib/server/alerts/prometheus-sources";
import { collectCertMetrics } from "@/lib/server/certs/metrics";
import { currentFleetPoller, FIRST_SWEEP_WAIT_MS, getFleetPoller } from "@/lib/server/fleet/service";
import { registerMetrics, renderMetrics } from "@/lib/server/platform/metrics";

/**
 * GET /api/metrics: the Prometheus exposition (fleet, poll latency, certificates, the facts the
 * alert rules read, process).
 * It composes features (fleet and certificates), so it sits above them rather than in either:
 * that keeps fleet from importing certs, which imports fleet. Starts the poller if nothing has,
 * so a scrape right after boot has node series once the first sweep is in. Upgrades add theirs
 * with `registerMetrics("upgrades", …)`.
 */
export async function getMetricsText(): Promise<{ body: string; contentType: string }> {
  registerMetrics("certificates", collectCertMetrics);
  registerMetrics("alert-sources", (registry) => registerDefaultAlertSourceMetrics(registry, () => currentFleetPoller()?.snapshot() ?? null));
  await getFleetPoller().firstSweep(FIRST_SWEEP_WAIT_MS);
  return renderMetrics();
}
