import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseDocument, stringify } from "yaml";

import { applyPatches, loadPatch } from "@/lib/config/patch";
import { redactManifest } from "@/lib/manifest/redact";
import { adoptCluster } from "@/lib/server/manifests/adopt";
import { makeManifestDeps, type ManifestDeps } from "@/lib/server/manifests/deps";
import { clusterDrift } from "@/lib/server/manifests/drift";
import {
  exportClusterSecrets,
  getManifest,
  getManifestRevision,
  listManifestRevisions,
  putManifest,
  renderManifestNode,
  validateManifest,
} from "@/lib/server/manifests/service";
import { listAudit } from "@/lib/server/platform/audit";
import { AppError } from "@/lib/server/platform/errors";
import { SecretBox } from "@/lib/server/platform/secret-box";
import { parseSecretsBundle, secretsBundleFromConfig } from "@/lib/talos/secrets/bundle";
import { testDb } from "@/test/db";
import { rejection, startTestFleet, type TestFleet } from "@/test/talos/fleet";

const USER = "user:ann";
let t: TestFleet;
let cluster: string;
let addresses: string[];
let cps: string[];
let workers: string[];

/** Deps over the fleet's admin client and a fresh store; `nodes` overrides the cluster's node list. */
async function depsFor(nodes?: () => string[]): Promise<ManifestDeps> {
  return makeManifestDeps({
    db: await testDb(),
    box: new SecretBox(randomBytes(32)),
    clusterNodes: async (c) => {
      if (c !== cluster) throw new AppError("not_found", `No cluster named "${c}"`);
      return nodes ? nodes() : addresses;
    },
    client: async () => t.clients.admin,
    nodeTimeoutMs: 3_000,
    concurrency: 4,
  });
}

/** The manifest with one more shared patch (the `patches` list created when there is none). */
function withPatch(yaml: string, patch: { name: string; selector?: Record<string, unknown>; patch: string }): string {
  const doc = parseDocument(yaml);
  if (doc.get("patches")) doc.addIn(["patches"], patch);
  else doc.set("patches", doc.createNode([patch]));
  return doc.toString();
}

const running = async (address: string) => (await t.clients.admin.machineConfig(address)).yaml;
/** Values the access test also looks for: cluster.secret and the bootstrap token of the bundle. */
const bundleSecrets = (yaml: string) => {
  const b = parseSecretsBundle(yaml, "test");
  return [b.cluster.secret, b.secrets.bootstraptoken, b.trustdinfo.token];
};

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.173.1", controlPlanes: 2, workers: 3 });
  cluster = t.fleet.clusters[0]!;
  addresses = t.fleet.nodes.map((n) => n.address);
  cps = t.fleet.nodes.filter((n) => n.role === "controlplane").map((n) => n.address);
  workers = t.fleet.nodes.filter((n) => n.role === "worker").map((n) => n.address);
});
afterAll(() => t?.stop());

describe("before adoption", () => {
  it("has no manifest, no bundle and no drift; an unknown cluster is 404 everywhere", async () => {
    const d = await depsFor();
    expect(await rejection(getManifest(d, cluster, { reveal: false }))).toMatchObject({ code: "not_found" });
    expect(await rejection(exportClusterSecrets(d, cluster, USER))).toMatchObject({ code: "not_found" });
    expect(await rejection(validateManifest(d, cluster, "x: 1"))).toMatchObject({ code: "not_found" });
    expect(await rejection(renderManifestNode(d, cluster, { yaml: "x: 1", node: "cp-1" }, { label: USER, reveal: false }))).toMatchObject({ code: "not_found" });
    expect(await clusterDrift(d, cluster)).toMatchObject({ cluster, revision: null, nodes: [] });
    expect(await listManifestRevisions(d, cluster)).toEqual({ revisions: [] });
    for (const p of [getManifest(d, "nowhere", { reveal: true }), clusterDrift(d, "nowhere"), adoptCluster(d, "nowhere", { reveal: false }, USER), listManifestRevisions(d, "nowhere")]) {
      expect(await rejection(p)).toMatchObject({ code: "not_found" });
    }
  });
});

describe("adoption", () => {
  it("refuses with a report naming an unreachable node, and saves nothing", async () => {
    const d = await depsFor();
    const down = workers[1]!;
    t.fleet.setFault({ node: down, fault: "down" });
    try {
      const e = (await rejection(adoptCluster(d, cluster, { reveal: false }, USER))) as AppError;
      expect(e.code).toBe("invalid_config");
      const report = (e.details as { report: { nodes: { node: string; reproduced: boolean; reason?: string }[] } }).report;
      expect(report.nodes).toHaveLength(addresses.length);
      const bad = report.nodes.filter((n) => !n.reproduced);
      expect(bad.map((n) => n.node)).toEqual([`${down}@${cluster}`]);
      expect(bad[0]!.reason).toMatch(/could not be read/);
      expect(e.message).toContain("nothing was saved");
    } finally {
      t.fleet.clearFaults(down);
    }
    expect(await d.repo.latest(cluster)).toBeUndefined();
    expect(await d.repo.secrets(cluster)).toBeUndefined();
    expect((await listAudit(d.db, { limit: 1 }))[0]).toMatchObject({ action: "manifest.adopt", target: cluster, result: "refused", details: { failed: [`${down}@${cluster}`] } });
  });

  it("saves revision 1 and the bundle when every node is reproduced; 409 without replace, the next revision with it", async () => {
    const d = await depsFor();
    const a = await adoptCluster(d, cluster, { reveal: false }, USER);
    expect(a.revision).toBe(1);
    expect(a.report.nodes).toHaveLength(addresses.length);
    expect(a.report.nodes.every((n) => n.reproduced)).toBe(true);
    expect(a.yaml).toBe(redactManifest(await d.repo.manifest(cluster, 1)));
    // The bundle is the one talosctl would extract from a control plane's config.
    const exported = await exportClusterSecrets(d, cluster, USER);
    const fromCp = secretsBundleFromConfig(await running(cps[0]!), "cp");
    expect(parseSecretsBundle(exported.yaml, "exported")).toEqual(fromCp);
    // The manifest holds none of the bundle's secrets; the audit entries neither.
    const stored = await d.repo.manifest(cluster, 1);
    const audit = JSON.stringify(await listAudit(d.db, { limit: 10 }));
    for (const s of bundleSecrets(exported.yaml)) {
      expect(stored).not.toContain(s);
      expect(audit).not.toContain(s);
    }
    const entries = await listAudit(d.db, { limit: 2 });
    expect(entries.map((x) => [x.action, x.result])).toEqual([
      ["manifest.secrets.export", "ok"],
      ["manifest.adopt", "ok"],
    ]);

    expect(await rejection(adoptCluster(d, cluster, { reveal: false }, USER))).toMatchObject({ code: "conflict", details: { latestRevision: 1 } });
    const again = await adoptCluster(d, cluster, { replace: true, reveal: true }, USER);
    expect(again.revision).toBe(2);
    expect(again.yaml).toBe(stored);
    expect((await listManifestRevisions(d, cluster)).revisions.map((r) => [r.revision, r.source])).toEqual([
      [2, "adopt"],
      [1, "adopt"],
    ]);
  });
});

describe("an adopted cluster", () => {
  let d: ManifestDeps;
  let yaml: string;
  beforeAll(async () => {
    d = await depsFor();
    yaml = (await adoptCluster(d, cluster, { reveal: false }, USER)).yaml;
  });

  it("reads back the latest revision, redacted unless revealed", async () => {
    expect(await getManifest(d, cluster, { reveal: false })).toEqual({ yaml, revision: 1 });
    expect((await getManifest(d, cluster, { reveal: true })).yaml).toBe(await d.repo.manifest(cluster, 1));
  });

  it("shows every node in sync, then a change made outside Minos and an unreachable node", async () => {
    const inSync = await clusterDrift(d, cluster);
    expect(inSync.revision).toBe(1);
    expect(inSync.nodes.map((n) => [n.node, n.state])).toEqual(addresses.map((a) => [`${a}@${cluster}`, "in-sync"]));

    const w = workers[0]!;
    const before = await running(w);
    // Someone uses talosctl directly: a sysctl no manifest patch sets.
    const outside = applyPatches(before, [loadPatch('machine:\n  sysctls:\n    kernel.pid_max: "4194304"\n', "outside")]);
    await t.clients.admin.applyConfiguration(w, { data: outside, mode: "no-reboot" });
    t.fleet.setFault({ node: workers[1]!, fault: "down" });
    try {
      const drift = await clusterDrift(d, cluster);
      const by = new Map(drift.nodes.map((n) => [n.node, n]));
      const drifted = by.get(`${w}@${cluster}`)!;
      expect(drifted.state).toBe("drifted");
      expect(drifted.paths).toEqual(["machine.sysctls.kernel.pid_max"]);
      expect(by.get(`${workers[1]}@${cluster}`)).toMatchObject({ state: "unreachable" });
      expect(by.get(`${cps[0]}@${cluster}`)).toMatchObject({ state: "in-sync" });
    } finally {
      t.fleet.clearFaults(workers[1]!);
      await t.clients.admin.applyConfiguration(w, { data: before, mode: "no-reboot" });
    }
  });

  it("names a node the manifest does not list and one the cluster does not have", async () => {
    const extra = "127.0.173.200";
    const partial = await depsFor(() => addresses.slice(1));
    // Same store as `d`: the adopted manifest, a node list without the first control plane.
    const view = { ...partial, db: d.db, repo: d.repo };
    const drift = await clusterDrift(view, cluster);
    expect(drift.nodes.find((n) => n.node === `${cps[0]}@${cluster}`)).toMatchObject({ state: "missing" });
    const more = { ...view, clusterNodes: async () => [...addresses, extra] };
    const drift2 = await clusterDrift(more, cluster);
    expect(drift2.nodes.find((n) => n.node === `${extra}@${cluster}`)).toMatchObject({ state: "not-in-manifest" });
  });

  it("saves an edit as the next revision, refuses a stale base (409) and an invalid manifest (422), saving nothing", async () => {
    const edited = withPatch(yaml, { name: "worker sysctls", selector: { role: "worker" }, patch: 'machine:\n  sysctls:\n    kernel.pid_max: "4194304"\n' });
    const ok = await putManifest(d, cluster, { yaml: edited, baseRevision: 1, message: "sysctl for workers" }, USER);
    expect(ok.revision).toBe(2);
    expect((await d.repo.get(cluster, 2))).toMatchObject({ source: "edit", message: "sysctl for workers", author: USER });
    expect((await getManifest(d, cluster, { reveal: true })).yaml).toContain("worker sysctls");

    expect(await rejection(putManifest(d, cluster, { yaml: edited, baseRevision: 1 }, USER))).toMatchObject({ code: "conflict", details: { latestRevision: 2, baseRevision: 1 } });
    const bad = edited.replace("kernel.pid_max", "kernel.pid_max: [\n");
    const e = (await rejection(putManifest(d, cluster, { yaml: bad, baseRevision: 2 }, USER))) as AppError;
    expect(e.code).toBe("invalid_config");
    expect((e.details as { issues: { line: number }[] }).issues.length).toBeGreaterThan(0);
    const twice = parse(edited) as { nodes: unknown[] };
    twice.nodes.push(twice.nodes[0]);
    const dup = (await rejection(putManifest(d, cluster, { yaml: stringify(twice, { aliasDuplicateObjects: false }), baseRevision: 2 }, USER))) as AppError;
    expect(dup.code).toBe("invalid_config");
    expect(dup.message).toMatch(/twice|more than once|listed/);
    expect((await d.repo.latest(cluster))?.revision).toBe(2);
    const audit = await listAudit(d.db, { limit: 3 });
    expect(audit.map((x) => [x.action, x.result])).toEqual([
      ["manifest.edit", "refused"],
      ["manifest.edit", "refused"],
      ["manifest.edit", "refused"],
    ]);

    // The render of a worker now carries the sysctl; the diff from the running config shows it.
    const r = await renderManifestNode(d, cluster, { yaml: (await getManifest(d, cluster, { reveal: false })).yaml, node: `${workers[0]}@${cluster}` }, { label: USER, reveal: false });
    expect(r.node).toBe(`${workers[0]}@${cluster}`);
    expect(r.config).toContain("kernel.pid_max");
    expect(r.config).toContain("******");
    expect(r.diff).toContain('+        kernel.pid_max: "4194304"');
    const cp = await renderManifestNode(d, cluster, { yaml: edited, node: cps[0]! }, { label: USER, reveal: true });
    expect(cp.diff).toBe("");
    expect(cp.config).toBe(await running(cps[0]!));
    expect(await rejection(renderManifestNode(d, cluster, { yaml: edited, node: "no-such-node" }, { label: USER, reveal: false }))).toMatchObject({ code: "invalid_config" });

    // Revision 2 against 1: the added patch, nothing else.
    const detail = await getManifestRevision(d, cluster, 2, { against: 1, reveal: false });
    expect(detail).toMatchObject({ revision: 2, source: "edit" });
    expect(detail.diff).toContain("+  - name: worker sysctls");
    expect(await rejection(getManifestRevision(d, cluster, 9, { reveal: false }))).toMatchObject({ code: "not_found" });
  });

  it("validates a manifest: every node's render, problems on manifest lines", async () => {
    const good = await validateManifest(d, cluster, (await getManifest(d, cluster, { reveal: false })).yaml);
    expect(good).toEqual({ valid: true, issues: expect.any(Array) });
    const text = withPatch((await getManifest(d, cluster, { reveal: true })).yaml, { name: "broken", selector: { role: "worker" }, patch: "machine:\n  kubelet:\n    nodeIP:\n      validSubnets: [bogus]\n" });
    const v = await validateManifest(d, cluster, text);
    expect(v.valid).toBe(false);
    const errors = v.issues.filter((i) => i.severity === "error");
    expect(errors).toHaveLength(1);
    // Every worker, named; the line is the patch's own.
    expect([...errors[0]!.nodes].sort()).toEqual(t.fleet.nodes.filter((n) => n.role === "worker").map((n) => n.hostname).sort());
    expect(text.split("\n")[errors[0]!.line - 1]).toContain("validSubnets: [bogus]");
  });
});
