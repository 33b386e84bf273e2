import "server-only";

import { collectDefaultMetrics, Histogram, Registry } from "prom-client";
import { processState } from "@/lib/server/platform/process-state";

/**
 * Prometheus metrics for GET /api/metrics: one registry per process (in the process state, shared by
 * every module instance), default process metrics, the poller's latency histograms, and the
 * collectors features register (fleet health, certificates, upgrades).
 */
interface MetricsState {
  registry: Registry;
  talosCall: Histogram<"method" | "outcome">;
  poll: Histogram<"cluster" | "outcome">;
  collectors: Map<string, (registry: Registry) => void>;
}

const g = processState<{ __minosMetrics?: MetricsState }>();

function state(): MetricsState {
  if (g.__minosMetrics) return g.__minosMetrics;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "minos_" });
  const talosCall = new Histogram({
    name: "minos_talos_call_duration_seconds",
    help: "Talos API calls made by the fleet poller, by method and outcome (ok or the error code)",
    labelNames: ["method", "outcome"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const poll = new Histogram({
    name: "minos_poll_duration_seconds",
    help: "One poll of one node (all its reads), by cluster and outcome (reachable or unreachable)",
    labelNames: ["cluster", "outcome"] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  g.__minosMetrics = { registry, talosCall, poll, collectors: new Map() };
  return g.__minosMetrics;
}

/** Records one Talos call of the poller. */
export function observeTalosCall(method: string, seconds: number, outcome: string): void {
  state().talosCall.observe({ method, outcome }, seconds);
}

/** Records one node poll. */
export function observePoll(cluster: string, seconds: number, reachable: boolean): void {
  state().poll.observe({ cluster, outcome: reachable ? "reachable" : "unreachable" }, seconds);
}

/**
 * Adds a feature's metrics to the registry once per process: `register(registry)` creates its
 * gauges (usually with `collect()` callbacks that read the feature's state at scrape time).
 */
export function registerMetrics(name: string, register: (registry: Registry) => void): void {
  const s = state();
  if (s.collectors.has(name)) return;
  s.collectors.set(name, register);
  register(s.registry);
}

/** The Prometheus text exposition of every registered metric, and its content type. */
export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  const { registry } = state();
  return { body: await registry.metrics(), contentType: registry.contentType };
}
