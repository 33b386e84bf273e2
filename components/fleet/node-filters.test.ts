import { describe, expect, it } from "vitest";

import { defaultFilters, filterNodes, parseNodeFilters, sortNodes, versionsOf, writeNodeFilters, type NodeFilters } from "@/components/fleet/node-filters";
import { fleetHeadline } from "@/components/fleet/fleet-headline";
import { nodeStatus, statusLabel } from "@/components/fleet/node-status";
import type { ClusterHealth, NodeSummary } from "@/lib/schemas/fleet";

function node(over: Partial<NodeSummary> & { address: string }): NodeSummary {
  const cluster = over.cluster ?? "prod";
  return {
    id: `${over.address}@${cluster}`,
    cluster,
    source: "talosconfig",
    hostname: null,
    role: "worker",
    reachable: true,
    stage: "running",
    ready: true,
    unmetConditions: [],
    talosVersion: "v1.10.3",
    failingServices: [],
    lastSeen: "2025-01-01T00:00:00.000Z",
    lastError: null,
    bootId: "b",
    memory: { totalKb: 1000, availableKb: 500 },
    load1: 0.5,
    problems: [],
    ...over,
  };
}

const down = node({
  address: "10.0.0.10",
  hostname: "worker-10",
  reachable: false,
  lastSeen: "2024-12-31T23:59:00.000Z",
  lastError: { code: "node_unreachable", message: "connection refused" },
  problems: [{ kind: "down", severity: "critical", message: "Unreachable" }],
});
const notReady = node({
  address: "10.0.0.9",
  hostname: "worker-9",
  ready: false,
  unmetConditions: [{ name: "nodeReady", reason: "kubelet not ready" }],
  problems: [{ kind: "not_ready", severity: "warning", message: "Not ready" }],
});
const cp = node({ address: "10.0.0.2", hostname: "cp-2", role: "controlplane", talosVersion: "v1.9.5", load1: 2 });
const staging = node({
  address: "10.0.0.2",
  cluster: "staging",
  hostname: "cp-1",
  role: "controlplane",
  talosVersion: "v1.10.10",
  lastSeen: null,
  memory: null,
  load1: null,
});
const rebooting = node({
  address: "10.0.0.3",
  hostname: "worker-3",
  stage: "rebooting",
  ready: false,
  problems: [{ kind: "stage", severity: "warning", message: "Rebooting" }],
});
const all = [down, notReady, cp, staging, rebooting];

const f = (over: Partial<NodeFilters>): NodeFilters => ({ ...defaultFilters, ...over });
const ids = (nodes: NodeSummary[]) => nodes.map((n) => n.id);

describe("node status", () => {
  it.each([
    [down, "offline", "Offline"],
    [notReady, "not_ready", "Not ready"],
    [rebooting, "transition", "Rebooting"],
    [cp, "healthy", "Healthy"],
  ] as const)("%#: %s", (n, status, label) => {
    expect(nodeStatus(n)).toBe(status);
    expect(statusLabel(n)).toBe(label);
  });
});

describe("filterNodes", () => {
  it.each<[string, Partial<NodeFilters>, string[]]>([
    ["no filter", {}, ids(all)],
    ["cluster", { cluster: "staging" }, [staging.id]],
    ["role", { role: "controlplane" }, [cp.id, staging.id]],
    ["stage", { stage: "rebooting" }, [rebooting.id]],
    ["version", { version: "v1.9.5" }, [cp.id]],
    ["problem kind", { problem: "down" }, [down.id]],
    ["any problem", { problem: "any" }, [down.id, notReady.id, rebooting.id]],
    ["no problem", { problem: "none" }, [cp.id, staging.id]],
    ["search by hostname, any case", { q: "WORKER-1" }, [down.id]],
    ["search by address", { q: "10.0.0.2" }, [cp.id, staging.id]],
    ["search terms all match", { q: "10.0.0.2 staging" }, [staging.id]],
    ["search by version", { q: "v1.10.10" }, [staging.id]],
    ["filters combine", { cluster: "prod", role: "controlplane" }, [cp.id]],
    ["nothing matches", { q: "nope" }, []],
  ])("%s", (_, over, expected) => {
    expect(ids(filterNodes(all, f(over)))).toEqual(expected);
  });
});

describe("sortNodes", () => {
  it("sorts by status worst first, then cluster and name", () => {
    expect(ids(sortNodes(all, "status", "asc"))).toEqual([down.id, rebooting.id, notReady.id, cp.id, staging.id]);
  });

  it("sorts names numerically", () => {
    expect(sortNodes(all, "node", "asc").map((n) => n.hostname)).toEqual(["cp-1", "cp-2", "worker-3", "worker-9", "worker-10"]);
    expect(sortNodes(all, "node", "desc").map((n) => n.hostname)).toEqual(["worker-10", "worker-9", "worker-3", "cp-2", "cp-1"]);
  });

  it("compares versions numerically", () => {
    expect(sortNodes([staging, cp, down], "version", "asc").map((n) => n.talosVersion)).toEqual(["v1.9.5", "v1.10.3", "v1.10.10"]);
  });

  it("sorts versions in Talos's order: a release candidate before its release, describe builds after their tag", () => {
    const versions = ["v1.14.0", "v1.14.0-rc.1", "v1.14.0-alpha.1-23-gabcdef0", "v1.13.9", "v1.14.0-rc.10", "v1.14.0-rc.2", "v1.14.0-alpha.1"];
    const nodes = versions.map((v, i) => node({ address: `10.0.1.${i}`, hostname: `n-${i}`, talosVersion: v }));
    const asc = ["v1.13.9", "v1.14.0-alpha.1", "v1.14.0-alpha.1-23-gabcdef0", "v1.14.0-rc.1", "v1.14.0-rc.2", "v1.14.0-rc.10", "v1.14.0"];
    expect(sortNodes(nodes, "version", "asc").map((n) => n.talosVersion)).toEqual(asc);
    expect(sortNodes(nodes, "version", "desc").map((n) => n.talosVersion)).toEqual([...asc].reverse());
    expect(versionsOf(nodes)).toEqual(asc);
  });

  it("keeps unknown values last in both directions", () => {
    for (const key of ["lastSeen", "memory", "load"] as const) {
      expect(sortNodes(all, key, "asc").at(-1)).toBe(staging);
      expect(sortNodes(all, key, "desc").at(-1)).toBe(staging);
    }
    expect(sortNodes(all, "lastSeen", "desc")[0]!.lastSeen).toBe("2025-01-01T00:00:00.000Z");
    expect(sortNodes(all, "load", "desc")[0]).toBe(cp);
  });

  it("does not mutate its input", () => {
    const copy = [...all];
    sortNodes(all, "node", "desc");
    expect(all).toEqual(copy);
  });

  it("sorts and filters 5,000 nodes", () => {
    const many = Array.from({ length: 5000 }, (_, i) => node({ address: `10.${(i >> 8) & 255}.${i & 255}.1`, hostname: `node-${i}`, reachable: i % 97 !== 0 }));
    const out = sortNodes(filterNodes(many, f({ q: "node" })), "status", "asc");
    expect(out).toHaveLength(5000);
    expect(out[0]!.reachable).toBe(false);
  });
});

describe("URL round trip", () => {
  it("writes only what differs from the defaults and keeps other parameters", () => {
    const params = writeNodeFilters(f({ q: "cp", role: "controlplane", problem: "any", sort: "node", dir: "desc" }), new URLSearchParams("x=1"));
    expect(params.toString()).toBe("x=1&q=cp&role=controlplane&problem=any&sort=node&dir=desc");
    expect(parseNodeFilters(params)).toEqual(f({ q: "cp", role: "controlplane", problem: "any", sort: "node", dir: "desc" }));
    expect(writeNodeFilters(defaultFilters).toString()).toBe("");
  });

  it("ignores unknown values", () => {
    expect(parseNodeFilters(new URLSearchParams("role=king&stage=x&problem=y&sort=z&dir=up"))).toEqual(defaultFilters);
  });
});

describe("versionsOf", () => {
  it("lists distinct versions, oldest first", () => {
    expect(versionsOf(all)).toEqual(["v1.9.5", "v1.10.3", "v1.10.10"]);
  });
});

describe("fleetHeadline", () => {
  const cluster = (name: string, quorum: "ok" | "degraded" | "lost" | null): ClusterHealth => ({
    name,
    status: "healthy",
    nodes: { total: 3, healthy: 3, unreachable: 0 },
    etcd: quorum === null ? null : { members: 3, healthy: 3, canTolerate: 1, leader: "cp-1", quorum },
    versions: {},
    upgrade: null,
  });

  it.each<[string, NodeSummary[], ClusterHealth[], string, string]>([
    ["empty", [], [], "neutral", "No nodes known yet"],
    ["all well", [cp, staging], [cluster("prod", "ok")], "ok", "All 2 nodes healthy"],
    ["one node all well", [cp], [cluster("prod", null)], "ok", "All 1 node healthy"],
    ["offline and unwell", all, [cluster("prod", "ok")], "danger", "1 node offline · 2 nodes with problems"],
    ["not ready only", [cp, notReady], [cluster("prod", "ok")], "warn", "1 node with problems"],
    ["etcd at risk", [cp], [cluster("prod", "degraded")], "warn", "etcd at risk in prod"],
    ["etcd lost", [cp], [cluster("prod", "lost"), cluster("staging", "lost")], "danger", "etcd quorum lost in prod, staging"],
  ])("%s", (_, nodes, clusters, tone, title) => {
    expect(fleetHeadline(nodes, clusters)).toMatchObject({ tone, title });
  });
});

describe("Kubernetes filters and columns", () => {
  const kube = (over: Partial<NonNullable<NodeSummary["kubernetes"]>> = {}): NonNullable<NodeSummary["kubernetes"]> => ({
    nodeName: "n",
    ready: true,
    readyReason: null,
    kubeletVersion: "v1.34.1",
    unschedulable: false,
    cordonedByMinos: false,
    pods: 5,
    ...over,
  });
  const ready = node({ address: "10.0.2.1", hostname: "k-ready", kubernetes: kube({ pods: 12 }) });
  const notReadyK = node({ address: "10.0.2.2", hostname: "k-notready", kubernetes: kube({ ready: false, readyReason: "KubeletNotReady: PLEG is not healthy", kubeletVersion: "v1.33.4", pods: 2 }) });
  const unknownK = node({ address: "10.0.2.3", hostname: "k-unknown", kubernetes: kube({ ready: null, kubeletVersion: null, unschedulable: null, pods: null }) });
  const cordoned = node({ address: "10.0.2.4", hostname: "k-cordoned", kubernetes: kube({ unschedulable: true, cordonedByMinos: true, kubeletVersion: "v1.34.0", pods: 3 }) });
  const untracked = node({ address: "10.0.2.5", hostname: "k-untracked" });
  const kubeNodes = [ready, notReadyK, unknownK, cordoned, untracked];

  it.each<[string, Partial<NodeFilters>, string[]]>([
    // Not ready means "Kubernetes does not say Ready": false or unknown, never a node with no status at all.
    ["not ready", { kube: "not_ready" }, [notReadyK.id, unknownK.id]],
    ["cordoned", { kube: "cordoned" }, [cordoned.id]],
    ["combined with role", { kube: "cordoned", role: "controlplane" }, []],
  ])("filters %s", (_, over, expected) => {
    expect(ids(filterNodes(kubeNodes, f(over)))).toEqual(expected);
  });

  it("round-trips the Kubernetes filter through the URL as k8s=", () => {
    const params = writeNodeFilters(f({ kube: "cordoned", sort: "pods", dir: "desc" }));
    expect(params.toString()).toBe("k8s=cordoned&sort=pods&dir=desc");
    expect(parseNodeFilters(params)).toEqual(f({ kube: "cordoned", sort: "pods", dir: "desc" }));
    expect(parseNodeFilters(new URLSearchParams("k8s=sleepy")).kube).toBeNull();
  });

  it("sorts by Ready worst first, kubelet version, cordoned first and pods, unknowns last", () => {
    expect(ids(sortNodes(kubeNodes, "kubeReady", "asc"))).toEqual([notReadyK.id, unknownK.id, cordoned.id, ready.id, untracked.id]);
    expect(sortNodes(kubeNodes, "kubelet", "asc").map((n) => n.kubernetes?.kubeletVersion ?? null)).toEqual(["v1.33.4", "v1.34.0", "v1.34.1", null, null]);
    expect(ids(sortNodes(kubeNodes, "cordoned", "asc")).slice(0, 1)).toEqual([cordoned.id]);
    expect(sortNodes(kubeNodes, "pods", "desc").map((n) => n.kubernetes?.pods ?? null)).toEqual([12, 3, 2, null, null]);
  });
});
