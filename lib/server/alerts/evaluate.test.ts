import { describe, expect, it } from "vitest";

import type { Certificate } from "@/lib/schemas/certs";
import type { ClusterHealth } from "@/lib/schemas/fleet";
import { defaultRules, node } from "@/test/alerts/fixtures";

import { alertKey, evaluate, isHeld, type AlertInputs, type RunFact } from "./evaluate";
import { talosSupportLookup } from "./support";

const NOW = new Date("2026-12-07T00:00:00Z");

function cluster(name: string, quorum: "ok" | "degraded" | "lost" | null): ClusterHealth {
  return {
    name,
    status: "healthy",
    nodes: { total: 3, healthy: 3, unreachable: 0 },
    etcd: quorum ? { members: 3, healthy: quorum === "ok" ? 3 : quorum === "degraded" ? 2 : 1, canTolerate: quorum === "ok" ? 1 : 0, leader: null, quorum } : null,
    versions: {},
    upgrade: null,
  };
}

const empty: AlertInputs = { fleet: { nodes: [], clusters: [] }, certificates: [], runs: [], backups: [], drift: [], support: () => null };

function cert(over: Partial<Certificate>): Certificate {
  return {
    id: "prod/abc",
    fingerprint: "AB",
    subject: "CN=admin",
    commonName: "admin",
    issuer: "",
    serialNumber: "1",
    keyAlgorithm: "Ed25519",
    kind: "client",
    purpose: "talosconfig client",
    cluster: "prod",
    nodes: [],
    sources: ["talosconfig"],
    roles: ["os:admin"],
    notBefore: "2026-01-01T00:00:00Z",
    notAfter: "2026-12-20T00:00:00Z",
    daysLeft: 13,
    tier: "warning",
    renewedBy: "operator",
    howToRenew: "",
    note: null,
    ...over,
  };
}

function run(over: Partial<RunFact>): RunFact {
  return { kind: "talos-upgrade", id: "u1", cluster: "prod", state: "failed", createdAt: "2026-12-06T20:00:00Z", finishedAt: "2026-12-06T21:00:00Z", drainBlocked: [], reason: "node 10.5.0.3 did not come back", ...over };
}

describe("evaluate", () => {
  it("turns node problems into node rules with stable keys; an unreachable node speaks only through node-unreachable", () => {
    const down = node("10.5.0.3", { reachable: false, failingServices: ["kubelet"] }, [{ kind: "down", severity: "critical", message: "Unreachable: connection refused" }]);
    const sick = node("10.5.0.4", { failingServices: ["kubelet"] }, [
      { kind: "stage", severity: "warning", message: "Stage booting" },
      { kind: "etcd", severity: "critical", message: "member is a learner" },
    ]);
    const { conditions, skipped } = evaluate({ ...empty, fleet: { nodes: [down, sick], clusters: [] } }, defaultRules(), NOW);
    expect(skipped.size).toBe(0);
    expect(conditions.map((c) => c.key).sort()).toEqual(
      [alertKey("node-unreachable", "prod", "10.5.0.3@prod", null), alertKey("node-not-ready", "prod", "10.5.0.4@prod", null), alertKey("service-failing", "prod", "10.5.0.4@prod", "kubelet"), alertKey("etcd-member-down", "prod", "10.5.0.4@prod", null)].sort(),
    );
    const unreachable = conditions.find((c) => c.rule === "node-unreachable")!;
    expect(unreachable).toMatchObject({ severity: "critical", hostname: "host-10.5.0.3", path: "/nodes/10.5.0.3%40prod" });
    expect(unreachable.key).toBe("node-unreachable|prod|10.5.0.3@prod|");
    // Unreachable since its last answer (the node fixture's lastSeen); the other rules start when seen.
    expect(unreachable.since).toBe(down.lastSeen);
    expect(conditions.find((c) => c.rule === "node-not-ready")!.since).toBeUndefined();
  });

  it("skips disabled rules, and the rules of a failed source (null) without producing conditions", () => {
    const down = node("10.5.0.3", { reachable: false }, [{ kind: "down", severity: "critical", message: "Unreachable" }]);
    const off = evaluate({ ...empty, fleet: { nodes: [down], clusters: [] } }, defaultRules({ "node-unreachable": { enabled: false } }), NOW);
    expect(off.conditions).toEqual([]);
    expect(off.skipped.has("node-unreachable")).toBe(false);
    const failed = evaluate({ ...empty, fleet: null, backups: null }, defaultRules(), NOW);
    expect([...failed.skipped].sort()).toEqual(["backup-failed", "etcd-member-down", "etcd-quorum", "node-not-ready", "node-unreachable", "service-failing", "talos-unsupported"]);
  });

  it("raises etcd quorum lost, a critical-tier and an expired certificate to critical whatever the rule's severity", () => {
    const { conditions } = evaluate(
      {
        ...empty,
        fleet: { nodes: [], clusters: [cluster("prod", "lost"), cluster("dev", "degraded"), cluster("ok", "ok")] },
        certificates: [cert({}), cert({ id: "prod/crit", tier: "critical", daysLeft: 2 }), cert({ id: "prod/old", tier: "critical", daysLeft: -3 }), cert({ id: "prod/fine", tier: "notice", daysLeft: 60 })],
      },
      defaultRules({ "etcd-quorum": { severity: "info" }, "certificate-expiry": { severity: "info" } }),
      NOW,
    );
    const sev = Object.fromEntries(conditions.map((c) => [`${c.rule}:${c.cluster}:${c.object ?? ""}`, c.severity]));
    expect(sev).toEqual({ "etcd-quorum:prod:": "critical", "etcd-quorum:dev:": "info", "certificate-expiry:prod:prod/abc": "info", "certificate-expiry:prod:prod/crit": "critical", "certificate-expiry:prod:prod/old": "critical" });
    expect(conditions.find((c) => c.object === "prod/abc")!.summary).toContain("talosconfig client certificate");
    expect(conditions.find((c) => c.object === "prod/old")!.summary).toContain("expired 3 day(s) ago");
  });

  it("alerts on the latest failed run of a kind within its age limit, and on halted runs", () => {
    const rules = defaultRules({ "run-failed": { params: { maxAgeHours: 24 } } });
    const runs = [
      run({}),
      // A newer Kubernetes upgrade succeeded: the older failure no longer alerts.
      run({ kind: "kubernetes-upgrade", id: "k-old", createdAt: "2026-12-06T10:00:00Z" }),
      run({ kind: "kubernetes-upgrade", id: "k-new", state: "succeeded", createdAt: "2026-12-06T12:00:00Z" }),
      // Failed two days ago: past the 24 h limit.
      run({ kind: "bulk", id: "b-old", createdAt: "2026-12-04T10:00:00Z", finishedAt: "2026-12-04T11:00:00Z" }),
      run({ kind: "config-rollout", id: "r1", state: "paused", finishedAt: null, reason: null }),
      run({ kind: "ca-rotation", id: "c1", state: "running", finishedAt: null, drainBlocked: [] }),
      run({ kind: "talos-upgrade", id: "u2", cluster: "dev", state: "running", finishedAt: null, drainBlocked: ["worker-2"] }),
    ];
    const { conditions } = evaluate({ ...empty, runs }, rules, NOW);
    expect(conditions.map((c) => `${c.rule}:${c.object}`).sort()).toEqual(["run-failed:talos-upgrade:u1", "run-halted:config-rollout:r1", "run-halted:talos-upgrade:u2"]);
    expect(conditions.find((c) => c.object === "talos-upgrade:u2")!.summary).toContain("drain of worker-2 is blocked");
    expect(conditions.find((c) => c.object === "talos-upgrade:u1")!.path).toBe("/upgrades/u1");
  });

  it("an operator's pause does not wait for anyone; a pause for another reason or a blocked drain does", () => {
    const runs = [
      run({ kind: "talos-upgrade", id: "u-op", state: "paused", finishedAt: null, reason: "paused by user:ops" }),
      run({ kind: "bulk", id: "b-op", state: "paused", finishedAt: null, reason: "Paused by user:ops" }),
      run({ kind: "ca-rotation", id: "c-verify", state: "paused", finishedAt: null, reason: "verify failed" }),
      // Paused by hand while a drain is blocked: the drain still waits for a person.
      run({ kind: "config-rollout", id: "r-op", state: "paused", finishedAt: null, reason: "Paused by user:ops", drainBlocked: ["worker-1"] }),
    ];
    const { conditions } = evaluate({ ...empty, runs }, defaultRules(), NOW);
    expect(conditions.map((c) => c.object).sort()).toEqual(["ca-rotation:c-verify", "config-rollout:r-op"]);
  });

  it("holds (never resolves) a down node's other alerts and the certificate alerts of a node or cluster the scan missed", () => {
    const down = node("10.5.0.3", { reachable: false }, [{ kind: "down", severity: "critical", message: "Unreachable" }]);
    const unknown = node("10.5.0.6", { reachable: false, talosVersion: null }, [{ kind: "down", severity: "critical", message: "Unreachable" }]);
    const e = evaluate({ ...empty, fleet: { nodes: [down, node("10.5.0.4"), unknown], clusters: [] }, certificateScanErrors: [{ cluster: "prod", node: "10.5.0.5@prod" }, { cluster: "dev", node: null }] }, defaultRules(), NOW);
    const at = (rule: Parameters<typeof isHeld>[1]["rule"], cluster: string, n: string | null) => isHeld(e.held, { rule, cluster, node: n });
    expect(at("service-failing", "prod", "10.5.0.3@prod")).toBe(true);
    expect(at("node-not-ready", "prod", "10.5.0.3@prod")).toBe(true);
    expect(at("etcd-member-down", "prod", "10.5.0.3@prod")).toBe(true);
    expect(at("node-unreachable", "prod", "10.5.0.3@prod")).toBe(false);
    expect(at("service-failing", "prod", "10.5.0.4@prod")).toBe(false);
    expect(at("certificate-expiry", "prod", "10.5.0.5@prod")).toBe(true);
    expect(at("certificate-expiry", "prod", "10.5.0.4@prod")).toBe(false);
    expect(at("certificate-expiry", "dev", null)).toBe(true);
    expect(at("certificate-expiry", "dev", "10.6.0.1@dev")).toBe(true);
    expect(at("config-drift", "dev", null)).toBe(false);
    // A node whose Talos version is not known (down since Minos started) keeps its talos-unsupported alert.
    expect(at("talos-unsupported", "prod", "10.5.0.6@prod")).toBe(true);
    expect(at("talos-unsupported", "prod", "10.5.0.3@prod")).toBe(false);
  });

  it("leaves out the drift of nodes no longer in the fleet snapshot, and keeps all drift without one", () => {
    const drift = [
      { node: "10.5.0.5@prod", checkedAt: "2026-12-06T00:00:00Z" },
      { node: "10.5.0.99@prod", checkedAt: "2026-12-01T00:00:00Z" },
    ];
    const withFleet = evaluate({ ...empty, fleet: { nodes: [node("10.5.0.5")], clusters: [] }, drift }, defaultRules(), NOW);
    expect(withFleet.conditions.map((c) => c.node)).toEqual(["10.5.0.5@prod"]);
    const noFleet = evaluate({ ...empty, fleet: null, drift }, defaultRules(), NOW);
    expect(noFleet.conditions.map((c) => c.node)).toEqual(["10.5.0.5@prod", "10.5.0.99@prod"]);
  });

  it("reads backups, drift and Talos support", () => {
    const n = node("10.5.0.5", { talosVersion: "v1.8.4" });
    const support = (v: string) => (v.startsWith("v1.8") ? { minor: "v1.8", communitySupportEndedAt: new Date("2026-01-01T00:00:00Z") } : { minor: "v1.11", communitySupportEndedAt: null });
    const { conditions } = evaluate(
      {
        ...empty,
        fleet: { nodes: [n, node("10.5.0.6")], clusters: [] },
        backups: [
          { cluster: "prod", id: "b1", state: "failed", error: "no space left", startedAt: "2026-12-06T00:00:00Z" },
          { cluster: "dev", id: "b2", state: "succeeded", error: null, startedAt: "2026-12-06T00:00:00Z" },
        ],
        drift: [{ node: "10.5.0.5@prod", checkedAt: "2026-12-06T00:00:00Z" }],
        support,
      },
      defaultRules({ "talos-unsupported": { params: { graceDays: 90 } } }),
      NOW,
    );
    expect(conditions.map((c) => `${c.rule}:${c.cluster}:${c.node ?? ""}`).sort()).toEqual(["backup-failed:prod:", "config-drift:prod:10.5.0.5@prod", "talos-unsupported:prod:10.5.0.5@prod"]);
    expect(conditions.find((c) => c.rule === "config-drift")!.hostname).toBe("host-10.5.0.5");
    // Within the grace after the end of support: no alert yet.
    const grace = evaluate({ ...empty, fleet: { nodes: [n], clusters: [] }, support }, defaultRules({ "talos-unsupported": { params: { graceDays: 730 } } }), NOW);
    expect(grace.conditions).toEqual([]);
  });

  it("uses the support matrix's dates (lib/talos/support.ts): a minor superseded long ago alerts, the current one does not", () => {
    const nodes = [node("10.5.0.7", { talosVersion: "v1.6.7" }), node("10.5.0.8", { talosVersion: "v1.11.3" })];
    const { conditions } = evaluate({ ...empty, fleet: { nodes, clusters: [] }, support: talosSupportLookup }, defaultRules(), new Date("2026-01-15T00:00:00Z"));
    expect(conditions.map((c) => `${c.rule}:${c.node}`)).toEqual(["talos-unsupported:10.5.0.7@prod"]);
    expect(conditions[0]!.summary).toMatch(/runs Talos v1\.6\.7; community support of 1\.6 ended on \d{4}-\d{2}-\d{2}/);
  });
});
