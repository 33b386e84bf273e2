import { describe, expect, it } from "vitest";

import { nodeSummarySchema, clusterHealthSchema } from "@/lib/schemas/fleet";

import {
  clusterEtcd,
  emptyObservation,
  etcdQuorum,
  isNodeHealthy,
  nodeProblems,
  summarizeCluster,
  summarizeNode,
  type EtcdMembership,
  type NodeObservation,
} from "./health";

const NOW = Date.parse("2026-09-01T03:00:00Z");

function node(patch: Partial<NodeObservation> = {}): NodeObservation {
  return {
    ...emptyObservation("prod", "10.0.0.1", "talosconfig"),
    polledAt: NOW,
    reachable: true,
    lastSeen: NOW,
    hostname: "cp-1",
    role: "worker",
    talosVersion: "v1.13.9",
    machineStatus: { stage: "running", ready: true, unmetConditions: [] },
    services: [
      { id: "apid", state: "Running", healthy: true, message: "Health check successful", lastChange: NOW - 60_000 },
      { id: "kubelet", state: "Running", healthy: true, message: "Health check successful", lastChange: NOW - 60_000 },
    ],
    memory: { totalKb: 8_000_000, availableKb: 6_000_000 },
    load1: 0.4,
    bootId: "b1",
    ...patch,
  };
}

function cp(i: number, patch: Partial<NodeObservation> = {}): NodeObservation {
  return node({
    address: `10.0.0.${i}`,
    hostname: `cp-${i}`,
    role: "controlplane",
    etcd: { memberId: String(i), leaderId: "1", isLearner: false, dbSize: 1, errors: [] },
    ...patch,
  });
}

function membership(n: number, learners: number[] = []): EtcdMembership {
  return { members: Array.from({ length: n }, (_, k) => ({ id: String(k + 1), hostname: `cp-${k + 1}`, isLearner: learners.includes(k + 1) })) };
}

describe("etcdQuorum", () => {
  it.each([
    // members, healthy, quorum, canTolerate
    [1, 1, "ok", 0],
    [1, 0, "lost", 0],
    [2, 2, "ok", 0],
    [2, 1, "lost", 0],
    [3, 3, "ok", 1],
    [3, 2, "degraded", 0],
    [3, 1, "lost", 0],
    [3, 0, "lost", 0],
    [5, 5, "ok", 2],
    [5, 4, "degraded", 1],
    [5, 3, "degraded", 0],
    [5, 2, "lost", 0],
    [4, 3, "degraded", 0],
    [4, 2, "lost", 0],
    [0, 0, "lost", 0],
  ] as const)("%i members, %i healthy → %s, tolerates %i", (members, healthy, quorum, canTolerate) => {
    expect(etcdQuorum(members, healthy)).toEqual({ quorum, canTolerate });
  });
});

describe("clusterEtcd", () => {
  it("3 members, 1 down: degraded, tolerates 0, leader named by hostname", () => {
    const nodes = [cp(1), cp(2), cp(3, { reachable: false, etcd: null })];
    expect(clusterEtcd(membership(3), nodes)).toEqual({ members: 3, healthy: 2, canTolerate: 0, leader: "cp-1", quorum: "degraded" });
  });

  it("5 members, 3 down: lost, and no leader is named", () => {
    const nodes = [cp(1), cp(2), cp(3, { reachable: false }), cp(4, { reachable: false }), cp(5, { reachable: false })];
    expect(clusterEtcd(membership(5), nodes)).toEqual({ members: 5, healthy: 2, canTolerate: 0, leader: null, quorum: "lost" });
  });

  it("a member reporting errors is unhealthy", () => {
    const nodes = [cp(1), cp(2), cp(3, { etcd: { memberId: "3", leaderId: "1", isLearner: false, dbSize: 1, errors: ["slow disk"] } })];
    expect(clusterEtcd(membership(3), nodes)?.healthy).toBe(2);
  });

  it("learners do not vote", () => {
    const nodes = [cp(1), cp(2), cp(3), cp(4, { etcd: { memberId: "4", leaderId: "1", isLearner: true, dbSize: 1, errors: [] } })];
    expect(clusterEtcd(membership(4, [4]), nodes)).toMatchObject({ members: 3, healthy: 3, quorum: "ok", canTolerate: 1 });
  });

  it("a member that is not running does not count", () => {
    const nodes = [cp(1), cp(2, { machineStatus: { stage: "rebooting", ready: false, unmetConditions: [] } }), cp(3)];
    expect(clusterEtcd(membership(3), nodes)).toMatchObject({ healthy: 2, quorum: "degraded" });
  });

  it("every control plane down, membership remembered: lost", () => {
    const nodes = [1, 2, 3].map((i) => cp(i, { reachable: false }));
    expect(clusterEtcd(membership(3), nodes)).toMatchObject({ healthy: 0, quorum: "lost", leader: null });
  });

  it("no membership known: null", () => {
    expect(clusterEtcd(null, [cp(1)])).toBeNull();
  });

  it("a leader without a hostname is named by its member id in hex", () => {
    const m: EtcdMembership = { members: [{ id: "255", hostname: "", isLearner: false }] };
    const nodes = [cp(1, { etcd: { memberId: "255", leaderId: "255", isLearner: false, dbSize: 1, errors: [] } })];
    expect(clusterEtcd(m, nodes)?.leader).toBe("member 00000000000000ff");
  });
});

describe("nodeProblems", () => {
  it.each<[string, Partial<NodeObservation>, string[]]>([
    ["healthy", {}, []],
    ["not polled yet", { polledAt: null, reachable: false }, []],
    ["down", { reachable: false, lastError: { code: "node_unreachable", message: "connection refused" } }, ["down"]],
    ["booting", { machineStatus: { stage: "booting", ready: false, unmetConditions: [{ name: "nodeReady", reason: "node not ready" }] } }, ["stage"]],
    ["running, not ready", { machineStatus: { stage: "running", ready: false, unmetConditions: [{ name: "nodeReady", reason: "node not ready" }] } }, ["not_ready"]],
    [
      "unhealthy kubelet",
      { services: [{ id: "kubelet", state: "Running", healthy: false, message: "Health check failed", lastChange: NOW }] },
      ["service_failing"],
    ],
    ["failed service", { services: [{ id: "ext-foo", state: "Failed", healthy: null, message: "exit 1", lastChange: NOW }] }, ["service_failing"]],
    ["service without health check", { services: [{ id: "udevd", state: "Running", healthy: null, message: "", lastChange: NOW }] }, []],
    ["low memory", { memory: { totalKb: 1_000_000, availableKb: 50_000 } }, ["memory"]],
    ["forbidden", { forbidden: ["EtcdStatus"] }, ["forbidden"]],
  ])("%s", (_name, patch, kinds) => {
    expect(nodeProblems(node(patch)).map((p) => p.kind)).toEqual(kinds);
  });

  it("a booting node's unhealthy service is not news yet", () => {
    const o = node({
      machineStatus: { stage: "booting", ready: false, unmetConditions: [] },
      services: [{ id: "kubelet", state: "Running", healthy: false, message: "", lastChange: NOW }],
    });
    expect(nodeProblems(o).map((p) => p.kind)).toEqual(["stage"]);
  });

  it("an unhealthy etcd on a control plane is critical, listed before warnings", () => {
    const o = cp(1, {
      etcd: { memberId: "1", leaderId: "1", isLearner: false, dbSize: 1, errors: ["member is unhealthy"] },
      machineStatus: { stage: "running", ready: false, unmetConditions: [{ name: "services", reason: "etcd" }] },
    });
    expect(nodeProblems(o).map((p) => [p.kind, p.severity])).toEqual([
      ["etcd", "critical"],
      ["not_ready", "warning"],
    ]);
  });

  it("etcd not answering on a running control plane", () => {
    expect(nodeProblems(cp(1, { etcd: null, etcdError: "etcdserver: not running" })).map((p) => p.kind)).toEqual(["etcd"]);
  });

  it.each([
    [NOW - 60_000, "Unreachable: connection refused"],
    [null, "Never reached: connection refused"],
  ])("a down node last seen at %s: %s", (lastSeen, message) => {
    const [p] = nodeProblems(node({ reachable: false, lastSeen, lastError: { code: "node_unreachable", message: "connection refused" } }));
    expect(p?.message).toBe(message);
  });
});

describe("summarizeNode", () => {
  it("fits the API schema and hides a down node's stale stage", () => {
    const s = summarizeNode(node({ reachable: false, lastError: { code: "node_unreachable", message: "refused" } }));
    expect(nodeSummarySchema.parse(s)).toEqual(s);
    expect(s).toMatchObject({ id: "10.0.0.1@prod", reachable: false, stage: "unknown", ready: false, memory: null, load1: null, hostname: "cp-1" });
    expect(s.lastSeen).toBe(new Date(NOW).toISOString());
    expect(isNodeHealthy(s)).toBe(false);
  });

  it("lists failing services", () => {
    const s = summarizeNode(node({ services: [{ id: "kubelet", state: "Running", healthy: false, message: "", lastChange: null }] }));
    expect(s.failingServices).toEqual(["kubelet"]);
  });
});

describe("summarizeCluster", () => {
  const roll = (obs: NodeObservation[], m: EtcdMembership | null = membership(3)) => {
    const c = summarizeCluster("prod", obs, obs.map((o) => summarizeNode(o)), m);
    expect(clusterHealthSchema.parse(c)).toEqual(c);
    return c;
  };

  it("all well: healthy, x/y and versions", () => {
    const c = roll([cp(1), cp(2), cp(3), node({ address: "10.0.0.9", talosVersion: "v1.12.11" })]);
    expect(c).toMatchObject({ status: "healthy", nodes: { total: 4, healthy: 4, unreachable: 0 }, versions: { "v1.13.9": 3, "v1.12.11": 1 } });
  });

  it("a worker down: degraded", () => {
    const c = roll([cp(1), cp(2), cp(3), node({ address: "10.0.0.9", reachable: false })]);
    expect(c).toMatchObject({ status: "degraded", nodes: { total: 4, healthy: 3, unreachable: 1 } });
  });

  it("quorum lost: critical", () => {
    const c = roll([cp(1), cp(2, { reachable: false }), cp(3, { reachable: false })]);
    expect(c.status).toBe("critical");
    expect(c.etcd?.quorum).toBe("lost");
  });

  it("nothing polled yet: unknown", () => {
    const o = emptyObservation("prod", "10.0.0.1", "talosconfig");
    expect(roll([o], null)).toMatchObject({ status: "unknown", nodes: { total: 1, healthy: 0, unreachable: 0 }, etcd: null });
  });
});
