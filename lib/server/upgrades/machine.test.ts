import { describe, expect, it } from "vitest";

import type { UpgradeNodeState, UpgradePlanState } from "@/lib/schemas/upgrades";

import { evaluateHealth, type HealthFacts } from "./health";
import { canTransitionNode, decide, needsDriver, planTransition, type PlanEvent, type SchedNode } from "./machine";

describe("node transitions", () => {
  const cases: [UpgradeNodeState, UpgradeNodeState, boolean][] = [
    ["pending", "pulling", true],
    ["pending", "installing", true], // legacy path
    ["pending", "done", true], // already on the target
    ["pending", "skipped", true],
    ["pulling", "installing", true],
    ["installing", "rebooting", true],
    ["installing", "waiting-healthy", true], // legacy: the node reboots by itself
    ["rebooting", "waiting-healthy", true],
    ["waiting-healthy", "done", true],
    ["waiting-healthy", "failed", true],
    ["pulling", "waiting-healthy", true], // resumed after the node already rebooted
    ["pending", "rebooting", false],
    ["pulling", "done", false],
    ["rebooting", "installing", false],
    ["done", "pending", false],
    ["failed", "pulling", false],
    ["skipped", "pulling", false],
    ["waiting-healthy", "rebooting", false],
  ];
  for (const [from, to, ok] of cases) it(`${from} → ${to}: ${ok ? "allowed" : "refused"}`, () => expect(canTransitionNode(from, to)).toBe(ok));
});

describe("plan transitions", () => {
  const cases: [UpgradePlanState, PlanEvent, UpgradePlanState | null][] = [
    ["pending", "start", "running"],
    ["running", "pause", "paused"],
    ["paused", "resume", "running"],
    ["running", "cancel", "cancelling"],
    ["paused", "cancel", "cancelling"],
    ["cancelling", "finish-cancel", "cancelled"],
    ["running", "fail", "failed"],
    ["paused", "fail", "failed"],
    ["running", "succeed", "succeeded"],
    ["paused", "pause", null],
    ["running", "resume", null],
    ["succeeded", "cancel", null],
    ["failed", "resume", null],
    ["cancelled", "resume", null],
    ["cancelling", "resume", null],
    ["paused", "succeed", null],
  ];
  for (const [from, ev, to] of cases) it(`${from} + ${ev} → ${to ?? "refused"}`, () => expect(planTransition(from, ev)).toBe(to));
});

const n = (id: string, role: "controlplane" | "worker", batch: number, state: UpgradeNodeState, error: string | null = null): SchedNode => ({ id, role, batch, state, error });
const cluster = (states: UpgradeNodeState[]) => [
  n("cp1", "controlplane", 0, states[0]!),
  n("cp2", "controlplane", 1, states[1]!),
  n("w1", "worker", 2, states[2]!),
  n("w2", "worker", 2, states[3]!),
  n("w3", "worker", 3, states[4]!),
];

describe("decide", () => {
  const cases: { name: string; state: UpgradePlanState; nodes: SchedNode[]; stopOnFailure?: boolean; starting?: Set<string>; expected: ReturnType<typeof decide> | { kind: "finish"; event: string; skip: string[] } }[] = [
    { name: "starts the first control plane alone", state: "running", nodes: cluster(["pending", "pending", "pending", "pending", "pending"]), expected: { kind: "start", nodes: ["cp1"] } },
    { name: "waits while a control plane is in flight", state: "running", nodes: cluster(["waiting-healthy", "pending", "pending", "pending", "pending"]), expected: { kind: "wait" } },
    { name: "the next control plane after the first is done", state: "running", nodes: cluster(["done", "pending", "pending", "pending", "pending"]), expected: { kind: "start", nodes: ["cp2"] } },
    { name: "a worker batch starts together", state: "running", nodes: cluster(["done", "done", "pending", "pending", "pending"]), expected: { kind: "start", nodes: ["w1", "w2"] } },
    { name: "the next batch waits for the whole batch", state: "running", nodes: cluster(["done", "done", "done", "rebooting", "pending"]), expected: { kind: "wait" } },
    { name: "succeeds when everything is done or skipped", state: "running", nodes: cluster(["done", "done", "done", "done", "skipped"]), expected: { kind: "finish", event: "succeed", skip: [] } },
    { name: "paused: starts nothing", state: "paused", nodes: cluster(["done", "pending", "pending", "pending", "pending"]), expected: { kind: "wait" } },
    { name: "paused: the node in flight finishes first", state: "paused", nodes: cluster(["installing", "pending", "pending", "pending", "pending"]), expected: { kind: "wait" } },
    { name: "cancelling waits for the node in flight", state: "cancelling", nodes: cluster(["done", "rebooting", "pending", "pending", "pending"]), expected: { kind: "wait" } },
    { name: "cancelling waits for a node the runner has begun but not yet persisted", state: "cancelling", nodes: cluster(["done", "pending", "pending", "pending", "pending"]), starting: new Set(["cp2"]), expected: { kind: "wait" } },
    { name: "a node being started is not started again", state: "running", nodes: cluster(["done", "pending", "pending", "pending", "pending"]), starting: new Set(["cp2"]), expected: { kind: "wait" } },
    { name: "cancelling then skips the rest", state: "cancelling", nodes: cluster(["done", "done", "pending", "pending", "pending"]), expected: { kind: "finish", event: "finish-cancel", skip: ["w1", "w2", "w3"] } },
    { name: "a failure halts (stopOnFailure)", state: "running", nodes: cluster(["done", "done", "failed", "done", "pending"]), expected: { kind: "finish", event: "fail", skip: ["w3"] } },
    { name: "a failure halts only after its batch is through", state: "running", nodes: cluster(["done", "done", "failed", "waiting-healthy", "pending"]), expected: { kind: "wait" } },
    { name: "without stopOnFailure a worker failure does not halt", state: "running", stopOnFailure: false, nodes: cluster(["done", "done", "failed", "done", "pending"]), expected: { kind: "start", nodes: ["w3"] } },
    { name: "without stopOnFailure the plan still ends failed", state: "running", stopOnFailure: false, nodes: cluster(["done", "done", "failed", "done", "done"]), expected: { kind: "finish", event: "fail", skip: [] } },
    { name: "a control-plane failure always halts", state: "running", stopOnFailure: false, nodes: cluster(["failed", "pending", "pending", "pending", "pending"]), expected: { kind: "finish", event: "fail", skip: ["cp2", "w1", "w2", "w3"] } },
    { name: "a paused plan whose last node failed fails", state: "paused", nodes: cluster(["done", "failed", "pending", "pending", "pending"]), expected: { kind: "finish", event: "fail", skip: ["w1", "w2", "w3"] } },
    { name: "final plans do nothing", state: "succeeded", nodes: cluster(["done", "done", "done", "done", "done"]), expected: { kind: "wait" } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decide({ state: c.state, stopOnFailure: c.stopOnFailure ?? true, nodes: c.nodes, starting: c.starting });
      expect(d).toMatchObject(c.expected);
    });
  }

  it("names the failed node and its error in the reason", () => {
    const d = decide({ state: "running", stopOnFailure: true, nodes: [{ ...n("w1", "worker", 0, "failed", "installer exit 7"), label: "worker-1" }] });
    expect(d).toEqual({ kind: "finish", event: "fail", reason: "worker-1: installer exit 7", skip: [] });
  });
});

describe("evaluateHealth", () => {
  const good: HealthFacts = { reachable: true, stage: "running", ready: true, version: "v1.14.0", bootId: "new", unhealthyServices: [], etcd: { members: 3, healthy: 3, leader: true } };
  const expectations = { targetVersion: "v1.14.0", bootIdBefore: "old", role: "controlplane" as const, etcdMembers: 3 };
  const cases: { name: string; facts: Partial<HealthFacts>; role?: "worker"; reason: RegExp | null }[] = [
    { name: "healthy control plane", facts: {}, reason: null },
    { name: "unreachable", facts: { reachable: false, error: "node_unreachable" }, reason: /^unreachable \(node_unreachable\)$/ },
    { name: "still booting", facts: { stage: "booting" }, reason: /stage is booting/ },
    { name: "same boot id", facts: { bootId: "old" }, reason: /has not rebooted yet/ },
    { name: "wrong version (rolled back)", facts: { version: "v1.13.9" }, reason: /runs v1\.13\.9, not v1\.14\.0/ },
    { name: "unhealthy service", facts: { unhealthyServices: ["kubelet"] }, reason: /service kubelet unhealthy/ },
    { name: "not ready", facts: { ready: false, unmetConditions: [{ name: "nodeReady", reason: "node not ready" }] }, reason: /not ready: node not ready/ },
    { name: "etcd member missing", facts: { etcd: { members: 2, healthy: 2, leader: true } }, reason: /etcd has 2 of 3 members/ },
    { name: "etcd member unhealthy", facts: { etcd: { members: 3, healthy: 2, leader: true } }, reason: /1 of 3 members unhealthy/ },
    { name: "etcd without leader", facts: { etcd: { members: 3, healthy: 3, leader: false } }, reason: /no leader/ },
    { name: "worker needs no etcd", facts: { etcd: undefined }, role: "worker", reason: null },
    { name: "control plane without etcd facts", facts: { etcd: undefined }, reason: /etcd not checked yet/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = evaluateHealth({ ...good, ...c.facts }, { ...expectations, role: c.role ?? "controlplane" });
      if (c.reason === null) expect(v).toEqual({ ok: true });
      else expect(v.ok ? "ok" : v.reason).toMatch(c.reason);
    });
  }
});

describe("blocked drains", () => {
  it("a person's answer sends a blocked drain back to draining; a cancel skips it", () => {
    expect(canTransitionNode("installing", "draining")).toBe(true);
    expect(canTransitionNode("draining", "drain-blocked")).toBe(true);
    expect(canTransitionNode("drain-blocked", "draining")).toBe(true);
    expect(canTransitionNode("drain-blocked", "skipped")).toBe(true);
    expect(canTransitionNode("draining", "skipped")).toBe(true);
    expect(canTransitionNode("drain-blocked", "rebooting")).toBe(false);
    expect(canTransitionNode("draining", "done")).toBe(false);
  });

  it("the loop restarts a blocked drain only to cancel it; the plan waits for it either way", () => {
    expect(needsDriver("drain-blocked", "running")).toBe(false);
    expect(needsDriver("drain-blocked", "paused")).toBe(false);
    expect(needsDriver("drain-blocked", "cancelling")).toBe(true);
    expect(needsDriver("draining", "running")).toBe(true);
    const nodes: SchedNode[] = [
      { id: "w1", role: "worker", batch: 0, state: "drain-blocked", error: null },
      { id: "w2", role: "worker", batch: 1, state: "pending", error: null },
    ];
    expect(decide({ state: "running", stopOnFailure: true, nodes })).toEqual({ kind: "wait" });
  });
});
