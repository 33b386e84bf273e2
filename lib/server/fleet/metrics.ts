import "server-only";

import { Gauge, type Registry } from "prom-client";

import { nodeStageSchema, type NodesResponse } from "@/lib/schemas/fleet";

import type { PollerStats } from "./poller";

/** What the fleet gauges read at scrape time. */
export interface FleetMetricsSource {
  snapshot(): NodesResponse;
  stats(): PollerStats;
}

/**
 * Registers the fleet gauges on `registry`; values are read from the poller's snapshot at
 * scrape time, so a node that leaves the snapshot leaves the exposition too.
 *
 * - `minos_node_up`, `minos_node_ready` {cluster,node,hostname,role}: 1 or 0.
 * - `minos_node_stage` {cluster,node,stage}: 1 for the node's stage, 0 for the others.
 * - `minos_node_last_seen_timestamp_seconds` {cluster,node}.
 * - `minos_cluster_nodes` {cluster,state=total|healthy|unreachable}.
 * - `minos_etcd_members` {cluster}, `minos_etcd_members_healthy` {cluster},
 *   `minos_etcd_failures_tolerable` {cluster}, `minos_etcd_quorum` {cluster,state=ok|degraded|lost}.
 * - `minos_poller_in_flight_calls`, `minos_poller_watchers`.
 */
export function registerFleetMetrics(registry: Registry, source: () => FleetMetricsSource | undefined): void {
  // One read of the snapshot per scrape, shared by every gauge's collect().
  let cached: { at: number; snap: NodesResponse } | null = null;
  const snap = (): NodesResponse | null => {
    const s = source();
    if (!s) return null;
    const now = Date.now();
    if (!cached || now - cached.at > 500) cached = { at: now, snap: s.snapshot() };
    return cached.snap;
  };
  const nodeLabels = ["cluster", "node", "hostname", "role"] as const;

  new Gauge({
    name: "minos_node_up",
    help: "1 when the node answered its last poll",
    labelNames: nodeLabels,
    registers: [registry],
    collect() {
      this.reset();
      for (const n of snap()?.nodes ?? []) this.set({ cluster: n.cluster, node: n.id, hostname: n.hostname ?? "", role: n.role }, n.reachable ? 1 : 0);
    },
  });
  new Gauge({
    name: "minos_node_ready",
    help: "1 when the node's MachineStatus is ready",
    labelNames: nodeLabels,
    registers: [registry],
    collect() {
      this.reset();
      for (const n of snap()?.nodes ?? []) this.set({ cluster: n.cluster, node: n.id, hostname: n.hostname ?? "", role: n.role }, n.ready ? 1 : 0);
    },
  });
  new Gauge({
    name: "minos_node_stage",
    help: "The node's Talos machine stage: 1 for the current stage, 0 for the others (unknown when unreachable)",
    labelNames: ["cluster", "node", "stage"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const n of snap()?.nodes ?? []) {
        for (const stage of nodeStageSchema.options) this.set({ cluster: n.cluster, node: n.id, stage }, n.stage === stage ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: "minos_node_last_seen_timestamp_seconds",
    help: "When the node last answered, as a Unix timestamp",
    labelNames: ["cluster", "node"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const n of snap()?.nodes ?? []) if (n.lastSeen) this.set({ cluster: n.cluster, node: n.id }, Date.parse(n.lastSeen) / 1000);
    },
  });
  new Gauge({
    name: "minos_cluster_nodes",
    help: "Nodes per cluster: total, healthy (reachable, ready, no critical problem) and unreachable",
    labelNames: ["cluster", "state"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of snap()?.clusters ?? []) {
        this.set({ cluster: c.name, state: "total" }, c.nodes.total);
        this.set({ cluster: c.name, state: "healthy" }, c.nodes.healthy);
        this.set({ cluster: c.name, state: "unreachable" }, c.nodes.unreachable);
      }
    },
  });
  const etcdGauge = (name: string, help: string, pick: (e: NonNullable<NodesResponse["clusters"][number]["etcd"]>) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["cluster"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const c of snap()?.clusters ?? []) if (c.etcd) this.set({ cluster: c.name }, pick(c.etcd));
      },
    });
  etcdGauge("minos_etcd_members", "Voting etcd members per cluster", (e) => e.members);
  etcdGauge("minos_etcd_members_healthy", "Healthy voting etcd members per cluster", (e) => e.healthy);
  etcdGauge("minos_etcd_failures_tolerable", "How many more etcd members can fail before quorum is lost", (e) => e.canTolerate);
  new Gauge({
    name: "minos_etcd_quorum",
    help: "etcd quorum state per cluster: 1 for the current state (ok, degraded, lost)",
    labelNames: ["cluster", "state"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const c of snap()?.clusters ?? []) {
        if (!c.etcd) continue;
        for (const state of ["ok", "degraded", "lost"] as const) this.set({ cluster: c.name, state }, c.etcd.quorum === state ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: "minos_poller_in_flight_calls",
    help: "Talos calls of the fleet poller awaiting an answer",
    registers: [registry],
    collect() {
      this.set(source()?.stats().inFlightCalls ?? 0);
    },
  });
  new Gauge({
    name: "minos_poller_watchers",
    help: "Node Events streams the fleet poller has open",
    registers: [registry],
    collect() {
      this.set(source()?.stats().watchers ?? 0);
    },
  });
  // Upgrade progress (issue 7) registers its own gauges with registerMetrics("upgrades", …).
}
