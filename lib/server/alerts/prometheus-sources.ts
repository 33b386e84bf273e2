import "server-only";

import type { Registry } from "prom-client";

import type { NodesResponse } from "@/lib/schemas/fleet";
import { getDb } from "@/lib/server/platform/db/db";

import { registerAlertSourceMetrics } from "./prometheus-metrics";
import { readDrift, readLatestBackups, readRuns } from "./sources";

/**
 * The I/O shell of the alert-source gauges: the same store readers as the alert engine
 * (./sources.ts), so a Prometheus rule and the engine's rule see the same runs, backups and drift.
 * `fleet` is passed in because lib/server/fleet imports this folder's SSE topics.
 */
export function registerDefaultAlertSourceMetrics(registry: Registry, fleet: () => NodesResponse | null): void {
  registerAlertSourceMetrics(
    registry,
    {
      fleet,
      runs: () => readRuns(getDb(), new Date()),
      backups: () => readLatestBackups(getDb()),
      drift: () => readDrift(getDb()),
      now: () => new Date(),
    },
    // The message only: a store error's full object may carry the query's parameters.
    (source, err) => console.warn(`[minos] alert metrics: the ${source} source failed; its gauges are empty this scrape: ${err instanceof Error ? err.message : String(err)}`),
  );
}
