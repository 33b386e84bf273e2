import "server-only";

import { Gauge, type Registry } from "prom-client";

import { parseNodeId } from "@/lib/fleet/node-id";
import type { NodesResponse } from "@/lib/schemas/fleet";
import { talosSupport } from "@/lib/talos/support";

import { runWaitsForPerson } from "./evaluate";

/**
 * The metrics the Prometheus rules need beyond the fleet and certificate gauges: one per fact an
 * alert rule reads, so each rule is a PromQL expression over GET /api/metrics. Labels stay
 * bounded: cluster, node (and its hostname), a service id, a run kind, a Talos minor; never a run
 * or backup id.
 *
 * The pure half (`*Samples`) turns the sources' facts into samples; `registerAlertSourceMetrics`
 * creates the gauges, whose `collect()` reads the sources at scrape time.
 */

export const METRIC = {
  // Existing (lib/server/fleet/metrics.ts, lib/server/certs/metrics.ts).
  nodeUp: "minos_node_up",
  nodeReady: "minos_node_ready",
  etcdQuorum: "minos_etcd_quorum",
  certNotAfter: "minos_certificate_not_after_seconds",
  // Added here.
  serviceFailing: "minos_node_service_failing",
  etcdMemberProblem: "minos_node_etcd_member_problem",
  talosSupportEnd: "minos_node_talos_support_end_timestamp_seconds",
  runFailedAt: "minos_run_failed_timestamp_seconds",
  runsHalted: "minos_runs_halted",
  backupLatestFailed: "minos_backup_latest_failed",
  configDrifted: "minos_node_config_drifted",
} as const;

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** A run as the metrics read it (the engine's RunFact has these fields and more). */
export interface RunLike {
  kind: string;
  cluster: string;
  state: string;
  createdAt: string;
  finishedAt: string | null;
  /** Nodes of the run waiting in `drain-blocked`. */
  drainBlocked: readonly string[];
  /** Why it paused or failed, when recorded ("paused by …" is an operator's own pause). */
  reason?: string | null;
}

/** A cluster's latest finished backup as the metrics read it (the engine's BackupFact). */
export interface BackupLike {
  cluster: string;
  state: string;
  startedAt: string;
}

/** A node whose last drift check found its running config changed (the engine's DriftFact). */
export interface DriftLike {
  node: string;
}

const TERMINAL = new Set(["failed", "succeeded", "done", "cancelled", "preflight-failed"]);
const seconds = (iso: string) => Date.parse(iso) / 1000;

/**
 * Per-node facts from the poller's snapshot. Failing services and etcd member problems only for
 * reachable nodes (an unreachable node's last answer is stale, and node-unreachable speaks for
 * it); the support end for every node whose Talos minor has a known end.
 */
export function fleetSamples(snap: NodesResponse, now: Date): { serviceFailing: Sample[]; etcdMemberProblem: Sample[]; talosSupportEnd: Sample[] } {
  const serviceFailing: Sample[] = [];
  const etcdMemberProblem: Sample[] = [];
  const talosSupportEnd: Sample[] = [];
  for (const n of snap.nodes) {
    const base = { cluster: n.cluster, node: n.id, hostname: n.hostname ?? n.address };
    if (n.reachable) {
      for (const service of new Set(n.failingServices)) serviceFailing.push({ labels: { ...base, service }, value: 1 });
      const etcd = n.problems.some((p) => p.kind === "etcd");
      // 0 for every control plane, so "healthy" is a sample; 1 for any node the health model flags (a role not yet known included).
      if (n.role === "controlplane" || etcd) etcdMemberProblem.push({ labels: base, value: etcd ? 1 : 0 });
    }
    const support = n.talosVersion ? talosSupport(n.talosVersion, now) : null;
    if (support?.communitySupportEndsAt) talosSupportEnd.push({ labels: { ...base, minor: support.minor }, value: support.communitySupportEndsAt.getTime() / 1000 });
  }
  return { serviceFailing, etcdMemberProblem, talosSupportEnd };
}

/**
 * Per cluster and run kind: when the latest run failed (absent unless the latest failed: a newer
 * run of the kind clears it, as it resolves the engine's alert), and how many runs wait for a
 * person (paused by itself, not by an operator, or a node's drain blocked), 0 for every pair that has runs.
 */
export function runSamples(runs: readonly RunLike[]): { runFailedAt: Sample[]; runsHalted: Sample[] } {
  const latest = new Map<string, RunLike>();
  const halted = new Map<string, number>();
  for (const r of runs) {
    const key = JSON.stringify([r.cluster, r.kind]);
    const prev = latest.get(key);
    if (!prev || prev.createdAt < r.createdAt) latest.set(key, r);
    // The engine's own test (evaluate.ts), so Prometheus and Minos page for the same runs.
    const waits = !TERMINAL.has(r.state) && runWaitsForPerson(r);
    halted.set(key, (halted.get(key) ?? 0) + (waits ? 1 : 0));
  }
  const labels = (key: string) => {
    const [cluster, kind] = JSON.parse(key) as [string, string];
    return { cluster, kind };
  };
  return {
    runFailedAt: [...latest].filter(([, r]) => r.state === "failed").map(([k, r]) => ({ labels: labels(k), value: seconds(r.finishedAt ?? r.createdAt) })),
    runsHalted: [...halted].map(([k, n]) => ({ labels: labels(k), value: n })),
  };
}

/** Per cluster with finished backups: 1 when its latest one failed, else 0. */
export function backupSamples(backups: readonly BackupLike[]): Sample[] {
  const latest = new Map<string, BackupLike>();
  for (const b of backups) {
    const prev = latest.get(b.cluster);
    if (!prev || prev.startedAt < b.startedAt) latest.set(b.cluster, b);
  }
  return [...latest.values()].map((b) => ({ labels: { cluster: b.cluster }, value: b.state === "failed" ? 1 : 0 }));
}

/** 1 per node whose running config drifted from Minos's last revision (absent otherwise). */
export function driftSamples(drift: readonly DriftLike[], hostnames: ReadonlyMap<string, string | null> = new Map()): Sample[] {
  const out: Sample[] = [];
  for (const d of drift) {
    const id = parseNodeId(d.node);
    if (id) out.push({ labels: { cluster: id.cluster, node: d.node, hostname: hostnames.get(d.node) ?? id.address }, value: 1 });
  }
  return out;
}

/** Where the gauges read at scrape time; a source that throws leaves its gauges empty for that scrape. */
export interface AlertMetricSources {
  fleet(): NodesResponse | null;
  runs(): Promise<readonly RunLike[]>;
  backups(): Promise<readonly BackupLike[]>;
  drift(): Promise<readonly DriftLike[]>;
  now(): Date;
}

/** How long one read of a source serves the gauges that share it (one scrape). */
const SCRAPE_REUSE_MS = 500;

/** Registers the gauges of {@link METRIC}'s added names on `registry` (once). */
export function registerAlertSourceMetrics(registry: Registry, sources: AlertMetricSources, onError: (source: string, err: unknown) => void = () => {}): void {
  if (registry.getSingleMetric(METRIC.serviceFailing)) return;
  const settle = async <T>(source: string, read: () => T | Promise<T>): Promise<T | null> => {
    try {
      return await read();
    } catch (err) {
      onError(source, err);
      return null;
    }
  };
  const gauge = (name: string, help: string, labelNames: readonly string[], read: () => Promise<Sample[] | null>) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const samples = await read();
        this.reset();
        for (const s of samples ?? []) this.set(s.labels, s.value);
      },
    });
  // Several gauges read one source: one read per scrape (collect() runs for each gauge in turn).
  const perScrape = <T>(read: () => Promise<T>): (() => Promise<T>) => {
    let last: { at: number; value: Promise<T> } | null = null;
    return () => {
      const at = Date.now();
      if (!last || at - last.at > SCRAPE_REUSE_MS) last = { at, value: read() };
      return last.value;
    };
  };
  const fleet = perScrape(async () => {
    const snap = await settle("fleet", () => sources.fleet());
    return snap ? fleetSamples(snap, sources.now()) : null;
  });
  const runs = perScrape(async () => {
    const r = await settle("runs", () => sources.runs());
    return r ? runSamples(r) : null;
  });
  const node = ["cluster", "node", "hostname"] as const;

  gauge(METRIC.serviceFailing, "1 for each Talos service failed or unhealthy on a reachable node", [...node, "service"], async () => (await fleet())?.serviceFailing ?? null);
  gauge(METRIC.etcdMemberProblem, "1 when a reachable control plane's etcd member is missing, a learner or unhealthy, else 0", node, async () => (await fleet())?.etcdMemberProblem ?? null);
  gauge(METRIC.talosSupportEnd, "When community support of the node's Talos minor ends (ended): the next minor's release, as a Unix timestamp", [...node, "minor"], async () => (await fleet())?.talosSupportEnd ?? null);
  gauge(METRIC.runFailedAt, "When the latest run of a kind on a cluster failed, as a Unix timestamp (absent unless the latest run failed)", ["cluster", "kind"], async () => (await runs())?.runFailedAt ?? null);
  gauge(METRIC.runsHalted, "Runs of a kind on a cluster that wait for a person (paused, or a drain blocked)", ["cluster", "kind"], async () => (await runs())?.runsHalted ?? null);
  gauge(METRIC.backupLatestFailed, "1 when the cluster's latest etcd backup failed, else 0", ["cluster"], async () => {
    const b = await settle("backups", () => sources.backups());
    return b ? backupSamples(b) : null;
  });
  gauge(METRIC.configDrifted, "1 for each node whose running config differs from the last one Minos applied (absent otherwise)", node, async () => {
    const d = await settle("drift", () => sources.drift());
    if (!d) return null;
    const snap = await settle("fleet", () => sources.fleet());
    return driftSamples(d, new Map((snap?.nodes ?? []).map((n) => [n.id, n.hostname])));
  });
}
