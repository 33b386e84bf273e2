import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { applyPatches, loadPatch } from "@/lib/config/patch";
import { validateConfig } from "@/lib/config/validate";
import { Clients, credentialsOf, getJson, md, readTalosconfig, rpc } from "@/test/simulator/helpers";
import { MachineConfigSpec } from "../third_party/talos-proto/gen/resource/definitions/config/config";
import { contractFor, generateMachineConfig } from "../talos/generate";
import { generateSecretsBundle, parseSecretsBundle, type SecretsBundle } from "../talos/secrets/bundle";
import { TALOS_MINORS, type TalosMinor } from "../talos/constants";
import { type ClusterRecipe, type Fleet, startFleet } from "./fleet";
import { clusterRecipe, hostnamePatch, type RecipeMember } from "./recipe";
import { RecipeConfigs } from "./recipe-configs";
import { ADDRESS_PLACEHOLDER, buildConfigTemplate, HOSTNAME_PLACEHOLDER, renderNodeConfig } from "../talos/generate/template";

type Doc = Record<string, unknown> & { kind?: string };
type V1 = {
  machine: { sysctls?: Record<string, string>; nodeLabels?: Record<string, string>; time?: unknown };
  cluster: { apiServer?: { extraArgs?: Record<string, string> } };
};
const docsOf = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS() as Doc);
const v1 = (yaml: string) => docsOf(yaml)[0] as V1;
const kind = (yaml: string, k: string) => docsOf(yaml).find((d) => d.kind === k);

/**
 * What an operator gets for one node of the recipe, written here with the generator and the
 * patcher directly: gen config for the cluster's contract with the node's address as an extra
 * SAN, the selected patches in order, the hostname, the node's own patch.
 */
function operatorRender(recipe: ClusterRecipe, secrets: SecretsBundle, node: ClusterRecipe["nodes"][number]): string {
  const contract = contractFor(recipe.cluster.talosVersion);
  const generated = generateMachineConfig(
    {
      clusterName: recipe.cluster.name,
      endpoint: recipe.cluster.endpoint,
      kubernetesVersion: recipe.cluster.kubernetesVersion,
      talosVersion: contract,
      installImage: recipe.generate.installImage,
      secrets,
      additionalSans: [node.address],
    },
    node.role,
  );
  const hostname =
    Number(contract.split(".")[1]) >= 12
      ? `apiVersion: v1alpha1\nkind: HostnameConfig\nauto:\n  $patch: delete\nhostname: ${node.hostname}\n`
      : `machine:\n  network:\n    hostname: ${node.hostname}\n`;
  const texts = [
    ...recipe.patches.filter((p) => p.selector.role === undefined || p.selector.role === node.role).map((p) => [p.name, p.patch] as const),
    ["hostname", hostname] as const,
    ...(node.patch === undefined ? [] : [[node.hostname, node.patch] as const]),
  ];
  return applyPatches(generated, texts.map(([name, text]) => loadPatch(text, name)));
}

describe("clusterRecipe (pure)", () => {
  const members = (version: string): RecipeMember[] => [
    { hostname: "c-controlplane-1", address: "10.5.0.2", role: "controlplane", version },
    { hostname: "c-worker-1", address: "10.5.0.3", role: "worker", version },
    { hostname: "c-worker-2", address: "10.5.0.4", role: "worker", version },
    { hostname: "c-worker-3", address: "10.5.0.5", role: "worker", version },
  ];
  let secrets: SecretsBundle;
  beforeAll(async () => {
    secrets = await generateSecretsBundle({ talosVersion: "1.14" });
  });

  it.each(TALOS_MINORS)("contract %s: every node's render is valid for its contract, with no new warning", (minor: TalosMinor) => {
    const recipe = clusterRecipe("c", members(`v${minor}.3`), { endpointHost: "10.5.0.2" });
    expect(contractFor(recipe.cluster.talosVersion)).toBe(minor);
    for (const node of recipe.nodes) {
      const generated = generateMachineConfig({ clusterName: "c", endpoint: recipe.cluster.endpoint, kubernetesVersion: recipe.cluster.kubernetesVersion, talosVersion: minor, installImage: recipe.generate.installImage, secrets, additionalSans: [node.address] }, node.role);
      const before = new Set(validateConfig(generated, { talosVersion: minor }).issues.map((i) => i.message));
      const issues = validateConfig(operatorRender(recipe, secrets, node), { talosVersion: minor }).issues.filter((i) => !before.has(i.message));
      expect(issues, `${minor} ${node.hostname}`).toEqual([]);
      // hostnamePatch through the patcher writes what the template's substitution writes.
      const input = { clusterName: "c", endpoint: recipe.cluster.endpoint, kubernetesVersion: "1.33.1", talosVersion: minor, secrets };
      expect(applyPatches(generateMachineConfig({ ...input, additionalSans: [node.address] }, node.role), [loadPatch(hostnamePatch(minor, node.hostname), "hostname")])).toBe(
        renderNodeConfig(buildConfigTemplate(input, node.role), node),
      );
    }
  });

  it("sets time servers the way the contract wants them: machine.time before 1.12, TimeSyncConfig from 1.12", () => {
    const time = (v: string) => clusterRecipe("c", members(v), { endpointHost: "10.5.0.2" }).patches[0]!.patch;
    expect(time("v1.11.5")).toMatch(/^machine:\n {4}time:\n {8}servers:\n/);
    expect(time("v1.12.11")).toMatch(/^apiVersion: v1alpha1\nkind: TimeSyncConfig\n/);
  });

  it("takes the oldest member's version, whatever the order", () => {
    const m = members("v1.14.0");
    m[2]!.version = "v1.12.11";
    m[3]!.version = "v1.13.9";
    expect(clusterRecipe("c", m, { endpointHost: "10.5.0.2" }).cluster).toMatchObject({ talosVersion: "v1.12.11", endpoint: "https://10.5.0.2:6443" });
  });

  it("gives the first worker its own sysctl and the second a label; the others only the shared patches", () => {
    const recipe = clusterRecipe("c", members("v1.13.9"), { endpointHost: "10.5.0.2" });
    expect(recipe.patches.map((p) => [p.name, p.selector])).toEqual([
      ["time servers", {}],
      ["worker sysctls", { role: "worker" }],
      ["API server audit log retention", { role: "controlplane" }],
    ]);
    expect(recipe.nodes.map((n) => [n.hostname, n.labels, n.patch !== undefined])).toEqual([
      ["c-controlplane-1", undefined, false],
      ["c-worker-1", undefined, true],
      ["c-worker-2", { pool: "edge" }, true],
      ["c-worker-3", undefined, false],
    ]);
  });

  it.each(["v1.11.5", "v1.14.0"])("%s: the placeholders survive the patcher; a node without a patch of its own is its role's template filled in", (version) => {
    const recipe = clusterRecipe("c", members(version), { endpointHost: "10.5.0.2" });
    const configs = new RecipeConfigs(recipe, secrets);
    for (const role of ["controlplane", "worker"] as const) {
      const t = configs.template(role);
      expect(t).toContain(`        - ${ADDRESS_PLACEHOLDER}\n`);
      expect(t).toContain(`hostname: ${HOSTNAME_PLACEHOLDER}\n`);
      // The shared patches are in the template: the patcher runs once per role, not per node.
      expect(t).toContain("time.cloudflare.com");
    }
    const plain = recipe.nodes[3]!;
    expect(plain.patch).toBeUndefined();
    expect(configs.pristine(plain)).toBe(renderNodeConfig(configs.template("worker"), plain));
    expect(configs.pristine(plain)).toBe(operatorRender(recipe, secrets, plain));
    const own = recipe.nodes[1]!;
    expect(configs.pristine(own)).not.toBe(renderNodeConfig(configs.template("worker"), own));
    expect(configs.pristine(own)).toBe(operatorRender(recipe, secrets, own));
  });

  it("refuses a cluster without nodes", () => {
    expect(() => clusterRecipe("c", [], { endpointHost: "x" })).toThrow(/no nodes/);
  });
});

describe("a fleet's clusters come from their recipe", () => {
  let fleet: Fleet;
  let stateDir: string;
  /** One client per cluster: apid proxies only within its own cluster. */
  const admin = new Map<string, Clients>();
  // 127.0.23.x: this file's own addresses.
  const FIRST = "127.0.23.1";

  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-sim-recipe-"));
    // sim-1: 1.14 nodes and one 1.12 worker, so the whole cluster keeps the 1.12 contract;
    // sim-2: 1.14.0 and 1.14.1, the multi-document contract.
    fleet = await startFleet({
      controlPlanes: 1,
      workers: 3,
      clusters: 2,
      version: "v1.14.0",
      nodeVersions: { "sim-1-worker-3": "v1.12.11", "sim-2-worker-2": "v1.14.1" },
      stateDir,
      firstAddress: FIRST,
      controlPort: 0,
    });
    for (const c of fleet.clusters) {
      const a = await readTalosconfig(fleet.talosconfig.admin, c);
      admin.set(c, new Clients(a.endpoints[0]!, credentialsOf(a)));
    }
  });

  afterAll(async () => {
    for (const c of admin.values()) c.close();
    await fleet?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  const running = async (hostname: string) => {
    const node = fleet.nodes.find((n) => n.hostname === hostname)!;
    const res = await rpc(admin.get(node.cluster)!.cosi, "get", { namespace: "config", type: "MachineConfigs.config.talos.dev", id: "v1alpha1" }, md(node.address));
    return MachineConfigSpec.decode(res.resource!.spec!.protoSpec).yamlMarshalled.toString("utf8");
  };

  it("each node's running config is gen config for the cluster's contract plus the recipe's patches, in order", async () => {
    for (const cluster of fleet.clusters) {
      const recipe = fleet.recipe(cluster);
      const secrets = parseSecretsBundle(await readFile(path.join(stateDir, `cluster-${cluster}-secrets.yaml`), "utf8"), "secrets.yaml");
      expect(recipe.nodes.map((n) => n.address)).toEqual(fleet.nodes.filter((n) => n.cluster === cluster).map((n) => n.address));
      for (const node of recipe.nodes) expect(await running(node.hostname), node.hostname).toBe(operatorRender(recipe, secrets, node));
    }
  });

  it("one contract per cluster, the oldest node's, whatever version each node runs", async () => {
    expect(fleet.recipe("sim-1").cluster.talosVersion).toBe("v1.12.11");
    expect(fleet.recipe("sim-2").cluster.talosVersion).toBe("v1.14.0");
    expect(fleet.nodes.find((n) => n.hostname === "sim-1-controlplane-1")!.version).toBe("v1.14.0");
    // A 1.14 node of sim-1 has the 1.12 layout: the API server in v1alpha1, no 1.14 documents.
    const cp = await running("sim-1-controlplane-1");
    expect(v1(cp).cluster.apiServer?.extraArgs).toEqual({ "audit-log-maxage": "30" });
    expect(kind(cp, "KubeAPIServerConfig")).toBeUndefined();
    expect(kind(cp, "TimeSyncConfig")).toMatchObject({ ntp: { servers: ["time.cloudflare.com", "pool.ntp.org"] } });
    expect(kind(cp, "HostnameConfig")).toEqual({ apiVersion: "v1alpha1", kind: "HostnameConfig", hostname: "sim-1-controlplane-1" });
    // sim-2: the 1.14 documents.
    const cp2 = await running("sim-2-controlplane-1");
    expect(v1(cp2).cluster.apiServer).toBeUndefined();
    expect(kind(cp2, "KubeAPIServerConfig")).toMatchObject({ extraArgs: { "audit-log-maxage": "30" } });
  });

  it("workers share a sysctl; the first worker has one more, the second a node label, the third neither", async () => {
    const [w1, w2, w3, cp] = await Promise.all(["sim-1-worker-1", "sim-1-worker-2", "sim-1-worker-3", "sim-1-controlplane-1"].map(running));
    expect(v1(w1!).machine.sysctls).toEqual({ "vm.max_map_count": "262144", "net.core.somaxconn": "65535" });
    expect(v1(w2!).machine.sysctls).toEqual({ "vm.max_map_count": "262144" });
    expect(v1(w2!).machine.nodeLabels).toEqual({ "minos.dev/pool": "edge" });
    expect(v1(w3!).machine.sysctls).toEqual({ "vm.max_map_count": "262144" });
    expect(v1(w3!).machine.nodeLabels).toBeUndefined();
    expect(v1(w1!).cluster.apiServer).toBeUndefined();
    expect(v1(cp!).machine.sysctls).toBeUndefined();
    expect(fleet.recipe("sim-1").nodes.find((n) => n.hostname === "sim-1-worker-2")!.labels).toEqual({ pool: "edge" });
    // On the 1.14 contract the same differences, in their documents.
    const [x1, x2] = await Promise.all(["sim-2-worker-1", "sim-2-worker-2"].map(running));
    expect(v1(x1!).machine.sysctls).toBeUndefined();
    expect(kind(x1!, "SysctlConfig")).toMatchObject({ params: { "vm.max_map_count": "262144", "net.core.somaxconn": "65535" } });
    expect(kind(x2!, "SysctlConfig")).toMatchObject({ params: { "vm.max_map_count": "262144" } });
    expect((kind(x2!, "KubeNodeConfig") as { labels?: Record<string, string> }).labels).toEqual({ "minos.dev/pool": "edge" });
  });

  it("GET /recipe?cluster= answers the same recipe; an unknown or missing cluster is an error", async () => {
    expect(await getJson(`${fleet.controlUrl}/recipe?cluster=sim-2`)).toEqual({ status: 200, body: fleet.recipe("sim-2") });
    const unknown = await getJson<{ error: { code: string } }>(`${fleet.controlUrl}/recipe?cluster=nope`);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "unknown_cluster"]);
    const missing = await getJson<{ error: { code: string; message: string } }>(`${fleet.controlUrl}/recipe`);
    expect([missing.status, missing.body.error.code]).toEqual([400, "invalid_query"]);
    expect(missing.body.error.message).toMatch(/name a cluster/);
  });

  it("recipe() answers a copy, and refuses an unknown cluster", () => {
    const r = fleet.recipe("sim-1");
    r.patches.length = 0;
    expect(fleet.recipe("sim-1").patches).toHaveLength(3);
    expect(() => fleet.recipe("nope")).toThrow(/no simulated cluster/);
  });
});
