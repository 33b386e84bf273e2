import { describe, expect, it } from "vitest";

import type { ClusterHealth, NodeSummary, NodesResponse } from "@/lib/schemas/fleet";

import { applyNodesDelta, applySummaryToDetail, clusterOfNodesKey, fleetKeys, snapshotForCluster } from "./fleet";

const T0 = "2026-09-01T03:00:00.000Z";
const T1 = "2026-09-01T03:00:05.000Z";

function node(id: string, patch: Partial<NodeSummary> = {}): NodeSummary {
  const [address, cluster] = id.split("@") as [string, string];
  return {
    id,
    cluster,
    address,
    source: "talosconfig",
    hostname: address,
    role: "worker",
    reachable: true,
    stage: "running",
    ready: true,
    unmetConditions: [],
    talosVersion: "v1.13.9",
    kubernetesVersion: null,
    failingServices: [],
    lastSeen: T0,
    lastError: null,
    bootId: null,
    memory: null,
    load1: null,
    problems: [],
    ...patch,
  };
}

function cluster(name: string, healthy: number): ClusterHealth {
  return { name, status: "healthy", nodes: { total: 2, healthy, unreachable: 2 - healthy }, etcd: null, versions: {}, upgrade: null };
}

const list: NodesResponse = {
  nodes: [node("a@one"), node("b@one"), node("c@two")],
  clusters: [cluster("one", 2), cluster("two", 1)],
  updatedAt: T0,
};

describe("fleet query keys", () => {
  it.each([
    [fleetKeys.nodes(), undefined],
    [fleetKeys.nodes("one"), "one"],
  ])("%j filters on %s", (key, c) => {
    expect(clusterOfNodesKey(key)).toBe(c);
  });
});

describe("applying SSE events", () => {
  it("a snapshot, filtered to a cluster", () => {
    const s = snapshotForCluster({ type: "snapshot", ...list }, "two");
    expect(s.nodes.map((n) => n.id)).toEqual(["c@two"]);
    expect(s.clusters.map((c) => c.name)).toEqual(["two"]);
  });

  it("a delta replaces changed nodes in place, appends new ones, drops removed ones", () => {
    const down = node("b@one", { reachable: false, stage: "unknown" });
    const out = applyNodesDelta(list, { type: "nodes", nodes: [down, node("d@one")], removed: ["a@one"], clusters: [cluster("one", 1), cluster("two", 1)], updatedAt: T1 });
    expect(out?.nodes.map((n) => [n.id, n.reachable])).toEqual([
      ["b@one", false],
      ["c@two", true],
      ["d@one", true],
    ]);
    expect(out?.clusters[0]?.nodes.healthy).toBe(1);
    expect(out?.updatedAt).toBe(T1);
  });

  it("a list of another cluster is left as it is (same object)", () => {
    const one: NodesResponse = snapshotForCluster({ type: "snapshot", ...list }, "one");
    const out = applyNodesDelta(one, { type: "nodes", nodes: [node("c@two", { ready: false })], removed: [], clusters: [cluster("two", 0)], updatedAt: T1 }, "one");
    expect(out).toBe(one);
  });

  it("nothing cached: nothing to patch", () => {
    expect(applyNodesDelta(undefined, { type: "nodes", nodes: [node("a@one")], removed: [], clusters: [], updatedAt: T1 })).toBeUndefined();
  });

  it("a summary lands in a cached detail only", () => {
    const n = node("a@one", { ready: false });
    expect(applySummaryToDetail(undefined, n)).toBeUndefined();
    expect(applySummaryToDetail({ summary: node("a@one"), services: [], etcd: null, history: [], stageEvents: [] }, n)?.summary.ready).toBe(false);
  });
});
