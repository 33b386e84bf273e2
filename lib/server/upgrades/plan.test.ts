import { describe, expect, it } from "vitest";

import { upgradeStrategySchema, type UpgradeStrategy } from "@/lib/schemas/upgrades";

import { buildPlan, type EtcdFacts, type NodeFacts } from "./plan";

const strategy = (s: Partial<UpgradeStrategy> = {}) => upgradeStrategySchema.parse(s);
const cp = (i: number, version = "v1.13.9", extra: Partial<NodeFacts> = {}): NodeFacts => ({ id: `10.0.0.${i}@lab`, address: `10.0.0.${i}`, hostname: `cp-${i}`, role: "controlplane", version, reachable: true, ...extra });
const w = (i: number, version = "v1.13.9", extra: Partial<NodeFacts> = {}): NodeFacts => ({ id: `10.0.1.${i}@lab`, address: `10.0.1.${i}`, hostname: `w-${i}`, role: "worker", version, reachable: true, ...extra });
const healthy = (names = ["cp-1", "cp-2", "cp-3"], leader = "cp-1"): EtcdFacts => ({ members: names, healthy: names, leader });
const plan = (nodes: NodeFacts[], o: { etcd?: EtcdFacts | null; s?: Partial<UpgradeStrategy>; target?: string } = {}) =>
  buildPlan({ cluster: "lab", targetVersion: o.target ?? "v1.14.0", image: "img:v1.14.0", strategy: strategy(o.s), nodes, etcd: o.etcd === undefined ? healthy() : o.etcd });

describe("buildPlan: order and batches", () => {
  const cases: { name: string; nodes: NodeFacts[]; s?: Partial<UpgradeStrategy>; etcd?: EtcdFacts; batches: string[][] }[] = [
    { name: "serial: control planes one at a time, the leader last, then workers one by one", nodes: [w(2), cp(1), w(1), cp(3), cp(2)], batches: [["cp-2"], ["cp-3"], ["cp-1"], ["w-1"], ["w-2"]] },
    { name: "workers in batches of maxParallelWorkers", nodes: [cp(1), cp(2), cp(3), w(1), w(2), w(3), w(4), w(5)], s: { maxParallelWorkers: 2 }, batches: [["cp-2"], ["cp-3"], ["cp-1"], ["w-1", "w-2"], ["w-3", "w-4"], ["w-5"]] },
    { name: "maxParallelWorkers never groups control planes", nodes: [cp(1), cp(2), cp(3), w(1)], s: { maxParallelWorkers: 10 }, batches: [["cp-2"], ["cp-3"], ["cp-1"], ["w-1"]] },
    { name: "numeric hostname order (w-10 after w-9)", nodes: [cp(1), w(10), w(9)], etcd: healthy(["cp-1"]), batches: [["cp-1"], ["w-9"], ["w-10"]] },
    { name: "workers only", nodes: [w(1), w(2), w(3)], s: { maxParallelWorkers: 3 }, batches: [["w-1", "w-2", "w-3"]] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = plan(c.nodes, { s: c.s, etcd: c.etcd });
      const host = new Map(p.nodes.map((n) => [n.id, n.hostname]));
      expect(p.batches.map((b) => b.nodes.map((id) => host.get(id)))).toEqual(c.batches);
      expect(p.nodes.map((n) => n.position)).toEqual(p.nodes.map((_, i) => i));
      expect(p.canStart).toBe(true);
    });
  }
});

describe("buildPlan: checks", () => {
  const cases: { name: string; nodes: NodeFacts[]; etcd?: EtcdFacts | null; s?: Partial<UpgradeStrategy>; target?: string; code: string; level: "ok" | "warn" | "error"; message?: RegExp; canStart: boolean }[] = [
    { name: "a supported jump (1.12 → 1.14)", nodes: [cp(1, "v1.12.11")], etcd: healthy(["cp-1"]), code: "etcd", level: "ok", canStart: true },
    { name: "an unsupported jump (1.11 → 1.14) names the minimum", nodes: [cp(1), w(1, "v1.11.6")], code: "version_jump", level: "error", message: /w-1 .* runs v1\.11\.6; Talos v1\.14\.0 accepts upgrades only from v1\.12\.0/, canStart: false },
    { name: "1.15 needs 1.13", nodes: [w(1, "v1.12.11")], etcd: null, target: "v1.15.0", code: "version_jump", level: "error", message: /only from v1\.13\.0/, canStart: false },
    { name: "an unreachable node", nodes: [cp(1), w(1, "v1.13.9", { reachable: false, version: null, error: "connection refused" })], code: "unreachable", level: "error", message: /unreachable: connection refused/, canStart: false },
    { name: "a node of unknown role", nodes: [cp(1), w(1, "v1.13.9", { role: null })], code: "unknown_role", level: "error", canStart: false },
    { name: "already on the target is marked, not refused", nodes: [cp(1), w(1, "v1.14.0")], code: "already_on_target", level: "ok", canStart: true },
    { name: "a downgrade warns", nodes: [cp(1), w(1, "v1.14.2")], code: "downgrade", level: "warn", canStart: true },
    { name: "etcd with an unhealthy member refuses", nodes: [cp(1), cp(2), cp(3)], etcd: { members: ["cp-1", "cp-2", "cp-3"], healthy: ["cp-1", "cp-3"], leader: "cp-1" }, code: "etcd", level: "error", message: /member cp-2 not healthy/, canStart: false },
    { name: "etcd missing a control plane refuses", nodes: [cp(1), cp(2), cp(3)], etcd: healthy(["cp-1", "cp-2"]), code: "etcd", level: "error", message: /cp-3 \(10\.0\.0\.3\) not a member/, canStart: false },
    { name: "etcd without a leader refuses", nodes: [cp(1)], etcd: { members: ["cp-1"], healthy: ["cp-1"], leader: null }, code: "etcd", level: "error", message: /no leader/, canStart: false },
    { name: "etcd unreadable refuses", nodes: [cp(1)], etcd: { members: [], healthy: [], leader: null, error: "deadline exceeded" }, code: "etcd", level: "error", message: /could not be read: deadline exceeded/, canStart: false },
    { name: "force turns etcd problems into a warning", nodes: [cp(1), cp(2)], etcd: { members: ["cp-1", "cp-2"], healthy: ["cp-1"], leader: "cp-1" }, s: { force: true }, code: "etcd", level: "warn", canStart: true },
    { name: "no control plane selected: etcd not checked", nodes: [w(1)], etcd: null, code: "force", level: "warn", s: { force: true }, canStart: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = plan(c.nodes, { etcd: c.etcd, s: c.s, target: c.target });
      const check = p.checks.find((x) => x.code === c.code);
      expect(check, JSON.stringify(p.checks)).toBeDefined();
      expect(check!.level).toBe(c.level);
      if (c.message) expect(check!.message).toMatch(c.message);
      expect(p.canStart).toBe(c.canStart);
    });
  }

  it("workers-only selections have no etcd check", () => {
    expect(plan([w(1)], { etcd: null }).checks.filter((c) => c.code === "etcd")).toEqual([]);
  });

  it("an empty selection cannot start", () => {
    const p = plan([]);
    expect(p.canStart).toBe(false);
    expect(p.checks.map((c) => c.code)).toContain("no_nodes");
  });

  it("marks nodes already on the target", () => {
    const p = plan([cp(1, "v1.14.0"), w(1)], { etcd: healthy(["cp-1"]) });
    expect(p.nodes.map((n) => [n.hostname, n.alreadyOnTarget])).toEqual([["cp-1", true], ["w-1", false]]);
  });
});

describe("buildPlan: each node's steps", () => {
  it("lifecycle nodes: the drain between the install and the reboot, the leader's forfeit, the uncordon after the gate", () => {
    const p = plan([cp(1), cp(2), w(1)], { etcd: healthy(["cp-1", "cp-2"], "cp-1"), s: { drain: { enabled: true, timeoutSeconds: 120, onTimeout: "force" } } });
    const steps = Object.fromEntries(p.nodes.map((n) => [n.hostname, n.steps]));
    expect(steps["w-1"]).toEqual(["pull img:v1.14.0", "install (LifecycleService/Upgrade)", "cordon + drain (120 s, force)", "reboot (default)", "health gate (600 s)", "uncordon"]);
    expect(steps["cp-1"]).toContain("forfeit etcd leadership (it leads now)");
    expect(steps["cp-2"]).toContain("forfeit etcd leadership if it leads by then");
    expect(steps["cp-1"]!.indexOf("cordon + drain (120 s, force)")).toBeLessThan(steps["cp-1"]!.indexOf("reboot (default)"));
  });

  it("drain disabled: no drain, no uncordon", () => {
    const [n] = plan([w(1)], { etcd: null, s: { drain: { enabled: false, timeoutSeconds: 300, onTimeout: "halt" } } }).nodes;
    expect(n!.steps).toEqual(["pull img:v1.14.0", "install (LifecycleService/Upgrade)", "no drain (disabled)", "reboot (default)", "health gate (600 s)"]);
  });

  it("legacy nodes (< 1.13) drain inside Talos, and the plan says so", () => {
    const p = plan([w(1, "v1.12.11"), w(2)], { etcd: null });
    expect(p.nodes[0]!.steps[0]).toMatch(/^legacy MachineService\/Upgrade with img:v1\.14\.0: Talos cordons and drains the node itself \(5 min, then goes on with what is left\)/);
    expect(p.checks).toContainEqual(expect.objectContaining({ code: "legacy_drain", level: "ok", message: expect.stringMatching(/^1 node takes the legacy upgrade .*is logged and left: the upgrade goes on.*Minos does not\.$/) }));
    expect(p.nodes[1]!.steps).toContain("cordon + drain (300 s, halt)");
  });

  it("a node already on the target has nothing to do", () => {
    expect(plan([w(1, "v1.14.0")], { etcd: null }).nodes[0]!.steps).toEqual(["none: already on the target"]);
  });
});

describe("buildPlan: draining every worker at once", () => {
  it("warns that evicted pods have nowhere to go", () => {
    const p = plan([cp(1), w(1), w(2), w(3)], { etcd: healthy(["cp-1"]), s: { maxParallelWorkers: 3 } });
    expect(p.checks).toContainEqual(expect.objectContaining({ code: "drain_all_workers", level: "warn", message: expect.stringMatching(/^All 3 workers are drained at once/) }));
    expect(p.canStart).toBe(true);
  });

  it("says nothing when workers go in smaller batches or the drain is off", () => {
    expect(plan([cp(1), w(1), w(2), w(3)], { etcd: healthy(["cp-1"]), s: { maxParallelWorkers: 2 } }).checks.map((c) => c.code)).not.toContain("drain_all_workers");
    expect(plan([cp(1), w(1), w(2)], { etcd: healthy(["cp-1"]), s: { maxParallelWorkers: 2, drain: { enabled: false, timeoutSeconds: 300, onTimeout: "halt" } } }).checks.map((c) => c.code)).not.toContain("drain_all_workers");
  });
});
