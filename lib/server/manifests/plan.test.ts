import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { configDifferences } from "@/lib/manifest/compare";
import { redactManifest } from "@/lib/manifest/redact";
import type { Manifest } from "@/lib/manifest/schema";
import { planResponseSchema } from "@/lib/schemas/manifests";
import { configHash } from "@/lib/server/configs/modes";
import { RolloutRunner } from "@/lib/server/configs/rollouts/runner";
import { getRollout } from "@/lib/server/configs/rollouts/service";
import { applyManifestPlan, PLAN_MAX_AGE_MS } from "@/lib/server/manifests/apply";
import { runPreflight } from "@/lib/server/configs/preflight";
import { planManifest } from "@/lib/server/manifests/plan";
import { PlanRepository } from "@/lib/server/manifests/plans-repo";
import { AppError } from "@/lib/server/platform/errors";
import { listAudit } from "@/lib/server/platform/audit";
import { withHostname } from "@/test/talos/fleet";
import { startSeededFleet, type SeededFleet } from "@/test/manifests/seeded-fleet";

const USER = "test admin";
let t: SeededFleet;
let runner: RolloutRunner;
let cps: string[];
let workers: string[];

const SYSCTL = { name: "worker sysctls", selector: { role: "worker" as const }, patch: 'machine:\n  sysctls:\n    vm.max_map_count: "262144"\n' };

/** The seeded manifest with changes; as text. */
const edit = (fn: (m: Manifest) => void): { manifest: Manifest; yaml: string } => {
  const manifest = structuredClone(t.manifest);
  fn(manifest);
  return { manifest, yaml: stringify(manifest) };
};

const applies = (since: number) => t.fleet.timeline().filter((e) => e.event === "apply" && e.time >= since).length;

const rejection = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string; details?: unknown };
  }
  throw new Error("expected a rejection");
};

beforeAll(async () => {
  t = await startSeededFleet({ firstAddress: "127.0.172.1", controlPlanes: 2, workers: 3 });
  runner = new RolloutRunner({ deps: t.deps, pollMs: 50, healthTimeoutMs: 5_000 });
  cps = t.ids.slice(0, 2);
  workers = t.ids.slice(2);
});
afterAll(async () => {
  await runner?.stop();
  await t?.stop();
});

describe("manifest plan and apply", () => {
  it("plans nothing to change for the manifest the nodes run", async () => {
    const plan = planResponseSchema.parse(await planManifest(t.plan, t.cluster, { yaml: t.yaml, mode: "auto" }, USER));
    expect(plan.baseRevision).toBe(1);
    expect(plan.summary).toEqual({ none: 5, update: 0, reboot: 0, refused: 0, unreachable: 0 });
    expect(plan.nodes.map((n) => [n.node, n.change, n.diff])).toEqual(t.ids.map((id) => [id, "none", ""]));
    expect(plan.notInManifest).toEqual([]);
  });

  it("a sysctl for role: worker plans exactly the workers (no reboot); applied, each worker has it and nothing else of it changed", async () => {
    const before = Object.fromEntries(await Promise.all(t.ids.map(async (id) => [id, await t.runningConfig(id)] as const)));
    const { manifest, yaml } = edit((m) => (m.patches = [SYSCTL]));
    const plan = await planManifest(t.plan, t.cluster, { yaml, mode: "auto" }, USER);
    expect(plan.summary).toEqual({ none: 2, update: 3, reboot: 0, refused: 0, unreachable: 0 });
    expect(plan.nodes.map((n) => [n.node, n.change, n.reboot])).toEqual([...cps.map((id) => [id, "none", false]), ...workers.map((id) => [id, "update", false])]);
    for (const n of plan.nodes.filter((x) => x.change === "update")) {
      expect(n.diff).toContain("+    sysctls:");
      expect(n.diff).toContain('vm.max_map_count: "262144"');
      // Redacted: no key of the cluster's bundle in a diff.
      expect(n.diff).not.toContain(t.secrets.secrets.bootstraptoken);
    }
    const since = Date.now();
    const applied = await applyManifestPlan(t.plan, t.cluster, { planId: plan.planId, concurrency: 2 }, USER, { runner });
    expect(applied.revision).toBe(2);
    expect(applied.rolloutId).not.toBeNull();
    await runner.idle(applied.rolloutId!);
    const rollout = await getRollout(t.deps, applied.rolloutId!);
    expect(rollout).toMatchObject({ state: "done", manifestRevision: 2, concurrency: 2 });
    expect(rollout.nodes.map((n) => [n.id, n.state])).toEqual(workers.map((id) => [id, "done"]));
    expect(rollout.yaml).toContain("worker sysctls");

    for (const [i, id] of t.ids.entries()) {
      const running = await t.runningConfig(id);
      const node = manifest.nodes[i]!;
      // Exactly the node's own render: hostname, certSANs, machine type… all as before, plus the sysctl on workers.
      expect(configDifferences(running, t.render(node.hostname, manifest))).toEqual([]);
      if (node.role === "worker") {
        expect(configDifferences(before[id]!, running)).toEqual(["machine.sysctls"]);
      } else {
        expect(configHash(running)).toBe(configHash(before[id]!));
      }
    }
    expect(applies(since)).toBe(3);
    const saved = await t.plan.manifests.repo.latest(t.cluster);
    expect(saved).toMatchObject({ revision: 2, source: "apply", author: USER });
    expect(await t.plan.manifests.repo.manifest(t.cluster, 2)).toBe(yaml);
    const audit = (await listAudit(t.deps.db, { limit: 50 })).map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(["manifest.plan", "manifest.apply", "config.rollout.create", "config.rollout"]));

    // Applying it again: 409, nothing sent.
    const again = await rejection(applyManifestPlan(t.plan, t.cluster, { planId: plan.planId }, USER, { runner }));
    expect(again).toMatchObject({ code: "conflict", message: expect.stringContaining("applied already") });
    t.manifest = manifest;
    t.yaml = yaml;
  });

  it("a manifest with no change applies as a revision alone", async () => {
    const plan = await planManifest(t.plan, t.cluster, { yaml: t.yaml, mode: "auto" }, USER);
    expect(plan.summary.update).toBe(0);
    const since = Date.now();
    expect(await applyManifestPlan(t.plan, t.cluster, { planId: plan.planId }, USER, { runner })).toEqual({ rolloutId: null, revision: 3 });
    expect(applies(since)).toBe(0);
  });

  it("a patch that breaks one node: that node refused with the reason, apply 409, nothing applied", async () => {
    const target = t.manifest.nodes[3]!;
    const { yaml } = edit((m) => {
      m.patches = [...(m.patches ?? []), { name: "broken dns domain", selector: { hostname: target.hostname }, patch: "cluster:\n  network:\n    dnsDomain: not a domain!\n" }, { name: "dns", selector: { role: "worker" }, patch: "machine:\n  kubelet:\n    clusterDNS: [10.96.0.10]\n" }];
    });
    const plan = await planManifest(t.plan, t.cluster, { yaml, mode: "auto" }, USER);
    const broken = plan.nodes.find((n) => n.hostname === target.hostname)!;
    expect(broken.change).toBe("refused");
    expect(broken.issues.join("\n")).toMatch(/dnsDomain|dns domain/);
    // First the manifest line that set it, as the editor marks it, naming the node.
    const line = yaml.split("\n").findIndex((l) => l.includes("dnsDomain: not a domain!")) + 1;
    expect(broken.issues[0]).toMatch(new RegExp(`^line ${line}: ${target.hostname}: `));
    expect(plan.summary).toMatchObject({ refused: 1, update: 2, none: 2 });
    const since = Date.now();
    const e = await rejection(applyManifestPlan(t.plan, t.cluster, { planId: plan.planId }, USER, { runner }));
    expect(e).toMatchObject({ code: "conflict", message: expect.stringContaining(`${broken.node}: refused`) });
    expect(applies(since)).toBe(0);
    expect((await t.plan.manifests.repo.latest(t.cluster))?.revision).toBe(3);
  });

  it("a node that refuses the dry run is refused with Talos's words", async () => {
    const { yaml } = edit((m) => (m.patches = [...(m.patches ?? []), { name: "dns", selector: { role: "worker" }, patch: "machine:\n  kubelet:\n    clusterDNS: [10.96.0.10]\n" }]));
    const bad = workers[1]!;
    t.fleet.setFault({ node: t.address(bad), fault: "reject-apply", message: "1 error occurred:\n\t* the node says no\n\n" });
    try {
      const plan = await planManifest(t.plan, t.cluster, { yaml, mode: "auto" }, USER);
      expect(plan.nodes.find((n) => n.node === bad)).toMatchObject({ change: "refused", issues: [expect.stringContaining("the node says no")] });
      expect(plan.nodes.filter((n) => n.node !== bad && n.role === "worker").every((n) => n.change === "update")).toBe(true);
    } finally {
      t.fleet.clearFaults(t.address(bad));
    }
  });

  it("a stale plan is refused: a manifest saved after it, a node changed outside Minos after it, or older than an hour", async () => {
    const { yaml } = edit((m) => (m.patches = [...(m.patches ?? []), { name: "dns", selector: { role: "worker" }, patch: "machine:\n  kubelet:\n    clusterDNS: [10.96.0.10]\n" }]));
    const since = Date.now();

    const first = await planManifest(t.plan, t.cluster, { yaml, mode: "auto" }, USER);
    await t.plan.manifests.repo.insert({ cluster: t.cluster, author: "someone else", at: new Date(), source: "edit", yaml: t.yaml, base: 3 });
    expect(await rejection(applyManifestPlan(t.plan, t.cluster, { planId: first.planId }, USER, { runner }))).toMatchObject({
      code: "conflict",
      message: expect.stringContaining("changed since the plan (planned against revision 3, now revision 4)"),
    });

    const second = await planManifest(t.plan, t.cluster, { yaml, mode: "auto" }, USER);
    const cp = cps[1]!;
    const outside = withHostname(await t.runningConfig(cp), "changed-outside");
    await t.clients.admin.applyConfiguration(t.address(cp), { data: outside, mode: "no-reboot" });
    expect(await rejection(applyManifestPlan(t.plan, t.cluster, { planId: second.planId }, USER, { runner }))).toMatchObject({
      code: "conflict",
      message: expect.stringContaining(`${cp}: its running config changed since the plan`),
    });
    const sinceOutside = Date.now();

    const third = await planManifest(t.plan, t.cluster, { yaml, mode: "auto" }, USER);
    t.clock.now = new Date(Date.parse(third.createdAt) + PLAN_MAX_AGE_MS + 1000);
    try {
      expect(await rejection(applyManifestPlan(t.plan, t.cluster, { planId: third.planId }, USER, { runner }))).toMatchObject({ code: "conflict", message: expect.stringContaining("older than 1 h") });
    } finally {
      t.clock.now = null;
    }
    expect(applies(sinceOutside)).toBe(0);
    expect(applies(since)).toBe(1);
    expect((await t.plan.manifests.repo.latest(t.cluster))?.revision).toBe(4);
  });

  it("a redacted manifest sent back gets the stored secrets merged back; the rollout shows it redacted", async () => {
    const { manifest, yaml } = edit((m) => {
      m.patches = [...(m.patches ?? []), { name: "registry auth", patch: 'machine:\n  registries:\n    config:\n      registry.example:\n        auth:\n          password: "hunter2-registry"\n' }];
    });
    const plan = await planManifest(t.plan, t.cluster, { yaml, mode: "auto" }, USER);
    expect(plan.baseRevision).toBe(4);
    // The control plane changed outside Minos is put back too.
    expect(plan.nodes.filter((n) => n.change === "update")).toHaveLength(5);
    expect(plan.nodes.map((n) => n.diff).join("\n")).not.toContain("hunter2-registry");
    const applied = await applyManifestPlan(t.plan, t.cluster, { planId: plan.planId, concurrency: 3 }, USER, { runner });
    await runner.idle(applied.rolloutId!);
    const rollout = await getRollout(t.deps, applied.rolloutId!);
    expect(rollout.state).toBe("done");
    expect(rollout.yaml).toContain("registry auth");
    expect(rollout.yaml).not.toContain("hunter2-registry");
    for (const id of t.ids) expect(await t.runningConfig(id)).toContain("hunter2-registry");
    t.manifest = manifest;
    t.yaml = yaml;

    const redacted = redactManifest(yaml);
    expect(redacted).not.toContain("hunter2-registry");
    const again = await planManifest(t.plan, t.cluster, { yaml: redacted, mode: "auto" }, USER);
    expect(again.summary).toMatchObject({ none: 5, update: 0 });

    // A marker with nothing stored behind it (a new patch) is a 422 on its line; nothing planned.
    const unresolved = redacted.replace("name: registry auth", "name: another registry");
    const e = await rejection(planManifest(t.plan, t.cluster, { yaml: unresolved, mode: "auto" }, USER));
    expect(e.code).toBe("invalid_config");
    expect((e.details as { issues: { line: number }[] }).issues[0]!.line).toBeGreaterThan(1);
  });

  it("two applies of one plan at once: exactly one goes through", async () => {
    const { manifest, yaml } = edit((m) => (m.patches = [...(m.patches ?? []), { name: "dns", selector: { role: "worker" }, patch: "machine:\n  kubelet:\n    clusterDNS: [10.96.0.10]\n" }]));
    const plan = await planManifest(t.plan, t.cluster, { yaml, mode: "auto" }, USER);
    const both = await Promise.allSettled([0, 1].map(() => applyManifestPlan(t.plan, t.cluster, { planId: plan.planId }, USER, { runner })));
    const ok = both.filter((r) => r.status === "fulfilled");
    expect(ok).toHaveLength(1);
    expect((both.find((r) => r.status === "rejected") as PromiseRejectedResult).reason).toMatchObject({ code: "conflict" });
    await runner.idle((ok[0] as PromiseFulfilledResult<{ rolloutId: string }>).value.rolloutId);
    expect((await t.plan.manifests.repo.list(t.cluster)).filter((r) => r.message === `Applied plan ${plan.planId}`)).toHaveLength(1);
    t.manifest = manifest;
    t.yaml = yaml;
  });

  it("a node that does not answer is unreachable, the others are planned", async () => {
    const { yaml } = edit((m) => (m.patches = [...(m.patches ?? []), { name: "dns 2", selector: { role: "worker" }, patch: "machine:\n  kubelet:\n    clusterDNS: [10.96.0.11]\n" }]));
    const down = workers[0]!;
    t.fleet.setFault({ node: t.address(down), fault: "down" });
    try {
      const plan = await planManifest(t.plan, t.cluster, { yaml, mode: "auto" }, USER);
      expect(plan.nodes.find((n) => n.node === down)).toMatchObject({ change: "unreachable", issues: [expect.any(String)] });
      expect(plan.summary).toMatchObject({ unreachable: 1, update: 2, none: 2 });
      expect(await rejection(applyManifestPlan(t.plan, t.cluster, { planId: plan.planId }, USER, { runner }))).toMatchObject({ code: "conflict", message: expect.stringContaining(`${down}: unreachable`) });
    } finally {
      t.fleet.clearFaults(t.address(down));
    }
  });

  it("a node slower than the per-node deadline is unreachable; the plan does not wait for it", async () => {
    const { yaml } = edit((m) => (m.patches = [...(m.patches ?? []), { name: "dns 3", selector: { role: "worker" }, patch: "machine:\n  kubelet:\n    clusterDNS: [10.96.0.12]\n" }]));
    const slow = workers[1]!;
    // Deadlines with room for the other nodes to answer on a loaded machine (parallel test files).
    t.fleet.setFault({ node: t.address(slow), fault: "slow", ms: 10_000 });
    try {
      const plan = await planManifest({ ...t.plan, planNodeTimeoutMs: 4_000 }, t.cluster, { yaml, mode: "auto" }, USER);
      expect(plan.nodes.find((n) => n.node === slow)).toMatchObject({ change: "unreachable", issues: [`${slow} did not answer within 4 s`] });
      expect(plan.summary).toMatchObject({ unreachable: 1, update: 2 });
    } finally {
      t.fleet.clearFaults(t.address(slow));
    }
  });

  it("a patch that cannot apply to one node refuses that node, named by the patch and its manifest line", async () => {
    const target = t.manifest.nodes[2]!;
    const { yaml } = edit((m) => (m.patches = [...(m.patches ?? []), { name: "drop a missing key", selector: { nodes: [target.hostname] }, patch: "- op: remove\n  path: /machine/nosuchkey\n" }]));
    const plan = await planManifest(t.plan, t.cluster, { yaml, mode: "auto" }, USER);
    const node = plan.nodes.find((n) => n.hostname === target.hostname)!;
    expect(node.change).toBe("refused");
    expect(node.issues.some((i) => i.includes('patches[') && i.includes('"drop a missing key"'))).toBe(true);
    expect(node.issues[0]).toMatch(/^line \d+: /);
    expect(plan.nodes.filter((n) => n !== node).every((n) => n.change === "none")).toBe(true);
  });

  it("a change the node can only take with a reboot plans as update with reboot", async () => {
    const target = t.manifest.nodes[4]!;
    const { yaml } = edit((m) => (m.patches = [...(m.patches ?? []), { name: "extra disk", selector: { nodes: [target.address] }, patch: "machine:\n  disks:\n    - device: /dev/sdb\n      partitions:\n        - mountpoint: /var/mnt/extra\n" }]));
    const plan = await planManifest(t.plan, t.cluster, { yaml, mode: "auto" }, USER);
    expect(plan.nodes.find((n) => n.hostname === target.hostname)).toMatchObject({ change: "update", reboot: true });
    expect(plan.summary).toMatchObject({ update: 1, reboot: 1, none: 4 });
  });

  it("unknown plans are 404; a manifest node outside the cluster is unreachable; a cluster node outside the manifest is named", async () => {
    expect(await rejection(applyManifestPlan(t.plan, t.cluster, { planId: "mp-nope" }, USER, { runner }))).toMatchObject({ code: "not_found" });
    const { yaml } = edit((m) => {
      m.nodes = m.nodes.filter((n) => n.address !== t.address(workers[2]!));
      m.nodes.push({ address: "127.0.172.250", hostname: "ghost", role: "worker" });
    });
    const plan = await planManifest(t.plan, t.cluster, { yaml, mode: "auto" }, USER);
    expect(plan.nodes.find((n) => n.hostname === "ghost")).toMatchObject({ change: "unreachable", issues: [expect.stringContaining("is not a node of cluster")] });
    expect(plan.notInManifest).toEqual([workers[2]]);
  });

  it("a manifest with errors is a 422 naming the lines: a node listed twice, an unknown selector label", async () => {
    const twice = edit((m) => m.nodes.push({ ...m.nodes[2]!, hostname: "dup" }));
    const e1 = await rejection(planManifest(t.plan, t.cluster, { yaml: twice.yaml, mode: "auto" }, USER));
    expect(e1.code).toBe("invalid_config");
    expect(e1.message).toMatch(/line \d+: .*listed (twice|more than once)|line \d+: .*already/);
    const label = edit((m) => (m.patches = [{ name: "zone a", selector: { labels: { zone: "a" } }, patch: "machine:\n  kubelet:\n    clusterDNS: [10.96.0.10]\n" }]));
    const e2 = await rejection(planManifest(t.plan, t.cluster, { yaml: label.yaml, mode: "auto" }, USER));
    expect(e2.code).toBe("invalid_config");
    expect((e2.details as { issues: { line: number; message: string }[] }).issues[0]!.message).toMatch(/zone/);
  });
  it("a patch that moves a bundle secret to an ordinary field: the stored plan quotes no secret", async () => {
    const target = t.manifest.nodes[3]!;
    const { yaml } = edit((m) => {
      // One v1alpha1 document (the 1.11 contract, no hostname document), so the JSON patch applies.
      m.cluster.talosVersion = "v1.11.0";
      m.nodes = m.nodes.map((n) => (n.hostname === target.hostname ? { ...n, setHostname: false } : n));
      m.patches = [
        { name: "peek", selector: { nodes: [target.hostname] }, patch: "- {op: move, from: /machine/token, path: /machine/type}\n- {op: copy, from: /cluster/token, path: /cluster/network/dnsDomain}\n" },
      ];
    });
    const plan = await planManifest(t.plan, t.cluster, { yaml, mode: "auto" }, USER);
    const node = plan.nodes.find((n) => n.hostname === target.hostname)!;
    expect(node.change).toBe("refused");
    const stored = JSON.stringify(await new PlanRepository(t.deps.db, t.deps.box).get(plan.planId));
    for (const text of [JSON.stringify(plan), stored]) {
      expect(text).not.toContain(t.secrets.trustdinfo.token);
      expect(text).not.toContain(t.secrets.secrets.bootstraptoken);
    }
  });

  it("refuses another cluster's manifest: cluster.name or cluster.endpoint differ from the stored revision's, on their lines", async () => {
    for (const key of ["name", "endpoint"] as const) {
      const { yaml } = edit((m) => (m.cluster[key] = key === "name" ? "other-cluster" : "https://10.9.9.9:6443"));
      const e = await rejection(planManifest(t.plan, t.cluster, { yaml, mode: "auto" }, USER));
      expect(e.code).toBe("invalid_config");
      const issue = (e.details as { issues: { line: number; message: string }[] }).issues[0]!;
      expect(issue.message).toContain(`cluster.${key}`);
      expect(yaml.split("\n")[issue.line - 1]).toMatch(new RegExp(`^\\s+${key}: `));
    }
  });

  it("runPreflight gives up when its signal aborts, before asking the node", async () => {
    const abort = new AbortController();
    abort.abort(new AppError("node_timeout", "too late"));
    const since = Date.now();
    expect(await rejection(runPreflight(t.deps, workers[0]!, { yaml: await t.runningConfig(workers[0]!), mode: "auto" }, { signal: abort.signal }))).toMatchObject({ code: "node_timeout" });
    expect(t.fleet.timeline().filter((e) => e.event === "dry-run" && e.time >= since)).toEqual([]);
  });
});
