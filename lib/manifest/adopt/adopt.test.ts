import { readFileSync } from "node:fs";
import path from "node:path";

import { parse, parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";

import { applyPatches, encodeConfig, loadPatch } from "@/lib/config/patch";
import { configDifferences } from "@/lib/manifest/compare";
import { ManifestRenderer } from "@/lib/manifest/render";
import { manifestSchema, type Manifest, type ManifestNode } from "@/lib/manifest/schema";
import { parseManifest } from "@/lib/manifest/parse";
import { redactManifest } from "@/lib/manifest/redact";
import { defaultInstallVersion, generateMachineConfig, type GenerateInput } from "@/lib/talos/generate";
import { buildConfigTemplate, renderNodeConfig } from "@/lib/talos/generate/template";
import type { TalosMinor } from "@/lib/talos/constants";
import { generateSecretsBundle, parseSecretsBundle } from "@/lib/talos/secrets/bundle";
import { installerImage } from "@/lib/talos/upgrade";

import type { Op } from "./delta";
import { factorOps } from "./factor";
import { generateOptions, inferInputs } from "./infer";
import { readDocuments } from "./documents";
import { AdoptError, adoptManifest, manifestYaml, type AdoptNodeInput } from "./index";
import { anchorsAndAliases } from "@/test/manifest/yaml-anchors";

const secrets = parseSecretsBundle(readFileSync(path.join(__dirname, "../../talos/generate/testdata/secrets.yaml"), "utf8"), "secrets.yaml");

const cluster = (talosVersion: string): Manifest["cluster"] => ({ name: "prod", endpoint: "https://10.0.0.10:6443", talosVersion, kubernetesVersion: "v1.33.2" });

/** Running configs rendered from a manifest, each optionally changed afterwards by `edits[hostname]` patches. */
function runningFrom(manifest: Manifest, edits: Record<string, string> = {}, version = manifest.cluster.talosVersion): AdoptNodeInput[] {
  const r = new ManifestRenderer(manifestSchema.parse(manifest), secrets);
  return manifest.nodes.map((n) => {
    let config = r.render(n);
    const edit = edits[n.hostname];
    if (edit) config = applyPatches(config, [loadPatch(edit, "edit")]);
    return { address: n.address, hostname: n.hostname, role: n.role, config, version };
  });
}

function expectReproduced(nodes: AdoptNodeInput[], result: ReturnType<typeof adoptManifest>): void {
  expect(result.report.nodes.filter((n) => !n.reproduced)).toEqual([]);
  // Independently of adoption's own check: the YAML text renders every node back.
  const manifest = manifestSchema.parse(parse(result.yaml));
  const r = new ManifestRenderer(manifest, secrets);
  manifest.nodes.forEach((n, i) => expect(configDifferences(r.render(n), nodes[i]!.config), n.hostname).toEqual([]));
}

const node = (hostname: string, role: ManifestNode["role"], address: string, patch?: string): ManifestNode => ({ hostname, role, address, ...(patch ? { patch } : {}) });

describe("inferring gen config's inputs", () => {
  const input = (talosVersion: TalosMinor): GenerateInput => ({
    clusterName: "edge",
    endpoint: "https://api.edge.example.com:6443",
    kubernetesVersion: "1.32.4",
    talosVersion,
    secrets,
    additionalSans: ["api.edge.example.com", "10.1.0.10"],
    dnsDomain: "edge.local",
    installDisk: "/dev/nvme0n1",
    installImage: "factory.talos.dev/installer/abc:v1.11.2",
    registryMirrors: [
      { host: "docker.io", endpoints: ["https://mirror.example.com", "https://mirror2.example.com"] },
      { host: "ghcr.io", endpoints: ["https://ghcr-cache.example.com"] },
    ],
    discovery: false,
    kubeSpan: true,
  });

  it.each(["1.10", "1.11", "1.12", "1.13", "1.14"] as const)("reads every input back from contract %s configs", (v) => {
    const docs = (role: "controlplane" | "worker") => readDocuments(generateMachineConfig(input(v), role));
    const inferred = inferInputs([
      { role: "controlplane", docs: docs("controlplane") },
      { role: "worker", docs: docs("worker") },
    ]);
    expect(inferred).toEqual({
      clusterName: "edge",
      endpoint: "https://api.edge.example.com:6443",
      kubernetesVersion: "v1.32.4",
      dnsDomain: "edge.local",
      installDisk: "/dev/nvme0n1",
      installImage: "factory.talos.dev/installer/abc:v1.11.2",
      additionalSans: ["api.edge.example.com", "10.1.0.10"],
      registryMirrors: { "docker.io": ["https://mirror.example.com", "https://mirror2.example.com"], "ghcr.io": ["https://ghcr-cache.example.com"] },
      discovery: false,
      kubeSpan: true,
    });
    expect(generateOptions(inferred, v)).toEqual({
      additionalSans: ["api.edge.example.com", "10.1.0.10"],
      dnsDomain: "edge.local",
      installDisk: "/dev/nvme0n1",
      installImage: "factory.talos.dev/installer/abc:v1.11.2",
      registryMirrors: { "docker.io": ["https://mirror.example.com", "https://mirror2.example.com"], "ghcr.io": ["https://ghcr-cache.example.com"] },
      discovery: false,
      kubeSpan: true,
    });
  });

  it("leaves talosctl's fixed defaults out of `generate`, and always writes the installer image the configs carry", () => {
    const plain: GenerateInput = { clusterName: "x", endpoint: "https://10.0.0.10:6443", kubernetesVersion: "1.33.2", talosVersion: "1.13", secrets };
    const inferred = inferInputs([{ role: "worker", docs: readDocuments(generateMachineConfig(plain, "worker")) }]);
    // The default image comes from SUGGESTED_VERSIONS, which a Minos release moves: pinned, so
    // the manifest renders the same image under every Minos version.
    expect(generateOptions(inferred, "1.13")).toEqual({ installImage: installerImage(defaultInstallVersion("1.13")) });
    // 1.14 without an install disk writes no installer document: no image to pin.
    const diskless = inferInputs([{ role: "worker", docs: readDocuments(generateMachineConfig({ ...plain, talosVersion: "1.14", installDisk: "" }, "worker")) }]);
    expect(generateOptions(diskless, "1.14")).toEqual({ installDisk: "" });
  });

  it("pins the installer image in the adopted manifest's text, even when it is the contract's default", () => {
    const m: Manifest = { cluster: cluster("v1.13.9"), nodes: [node("cp-1", "controlplane", "10.0.0.11"), node("w-1", "worker", "10.0.1.1")] };
    const running = runningFrom(m);
    const result = adoptManifest({ nodes: running, secrets });
    const image = installerImage(defaultInstallVersion("1.13"));
    expect(result.manifest.generate).toEqual({ installImage: image });
    expect(parse(result.yaml).generate).toEqual({ installImage: image });
    expectReproduced(running, result);
  });

  it("takes the value most nodes agree on; the others keep theirs in their own patch", () => {
    const m: Manifest = {
      cluster: cluster("v1.13.9"),
      generate: { dnsDomain: "corp.local" },
      nodes: [node("cp-1", "controlplane", "10.0.0.11"), node("w-1", "worker", "10.0.1.1"), node("w-2", "worker", "10.0.1.2", "cluster:\n  network:\n    dnsDomain: other.local\n")],
    };
    const running = runningFrom(m);
    const result = adoptManifest({ nodes: running, secrets });
    expect(result.manifest.generate).toEqual({ dnsDomain: "corp.local", installImage: installerImage(defaultInstallVersion("1.13")) });
    expect(result.manifest.nodes[2]!.patch).toBe("cluster:\n    network:\n        dnsDomain: other.local\n");
    expectReproduced(running, result);
  });

  it("refuses a cluster whose configs name no cluster", () => {
    expect(() => adoptManifest({ nodes: [{ address: "a", hostname: "a", role: "worker", config: "version: v1alpha1\nmachine:\n  type: worker\n" }], secrets })).toThrow(AdoptError);
    expect(() => adoptManifest({ nodes: [], secrets })).toThrow("no nodes to adopt");
    const running = runningFrom({ cluster: cluster("v1.13.9"), nodes: [node("w-1", "worker", "10.0.1.1")] });
    expect(() => adoptManifest({ nodes: running, secrets, cluster: { talosVersion: "latest" } })).toThrow(/not a Talos version/);
    expect(() => adoptManifest({ nodes: running, secrets, cluster: { kubernetesVersion: "1.33" } })).toThrow(/not a Kubernetes version/);
  });
});

describe("choosing the contract", () => {
  const m = (talosVersion: string): Manifest => ({
    cluster: cluster(talosVersion),
    nodes: [node("cp-1", "controlplane", "10.0.0.11"), node("w-1", "worker", "10.0.1.1")],
  });

  it("finds the contract configs were generated with, below the nodes' newer version", () => {
    // Generated for 1.12, then the nodes were upgraded to 1.14: the configs keep the 1.12 shape.
    const running = runningFrom(m("v1.12.11"), {}, "v1.14.0");
    const result = adoptManifest({ nodes: running, secrets });
    expect(result.contract.chosen).toBe("1.12");
    expect(result.contract.candidates.map((c) => c.contract)).toEqual(["1.14", "1.13", "1.12", "1.11", "1.10"]);
    expect(result.manifest.cluster.talosVersion).toBe("v1.12.0");
    expect(result.manifest.patches).toBeUndefined();
    expect(result.manifest.nodes.every((n) => n.patch === undefined)).toBe(true);
    expectReproduced(running, result);
  });

  it("names the node's own version when it is of the chosen contract", () => {
    const running = runningFrom(m("v1.13.9"));
    expect(adoptManifest({ nodes: running, secrets }).manifest.cluster.talosVersion).toBe("v1.13.9");
  });

  it("keeps the contract and versions it is given", () => {
    const running = runningFrom(m("v1.13.9"));
    const result = adoptManifest({ nodes: running, secrets, cluster: { talosVersion: "v1.13.2", kubernetesVersion: "v1.33.2" } });
    expect(result.contract.candidates.map((c) => c.contract)).toEqual(["1.13"]);
    expect(result.manifest.cluster).toMatchObject({ talosVersion: "v1.13.2", kubernetesVersion: "v1.33.2" });
    expectReproduced(running, result);
  });
});

describe("factoring", () => {
  const op = (path: string, value: unknown, kind: Op["kind"] = "set"): Op => ({ doc: "v1alpha1", path: path.split("/"), kind, value });

  it("shares an operation only when every list has it with the same value, and the common prefix of appended items", () => {
    const a = [op("machine/sysctls/a", "1"), op("machine/sysctls/b", "1"), op("machine/certSANs", ["x", "y", "a"], "append")];
    const b = [op("machine/sysctls/a", "1"), op("machine/sysctls/b", "2"), op("machine/certSANs", ["x", "y", "b"], "append")];
    const c = [op("machine/sysctls/a", "1"), op("machine/certSANs", ["x", "z"], "append")];
    const { shared, rest } = factorOps([a, b, c]);
    expect(shared).toEqual([op("machine/sysctls/a", "1"), op("machine/certSANs", ["x"], "append")]);
    expect(rest).toEqual([
      [op("machine/sysctls/b", "1"), op("machine/certSANs", ["y", "a"], "append")],
      [op("machine/sysctls/b", "2"), op("machine/certSANs", ["y", "b"], "append")],
      [op("machine/certSANs", ["z"], "append")],
    ]);
  });

  it("shares nothing for a single list", () => {
    expect(factorOps([[op("machine/sysctls/a", "1")]]).shared).toEqual([]);
  });

  it("writes what all nodes share, what each role shares and each node's own as patches an operator would write", () => {
    const m: Manifest = {
      cluster: cluster("v1.13.9"),
      patches: [
        { name: "t", patch: "machine:\n  time:\n    servers: [time.cloudflare.com]\n" },
        { name: "w", selector: { role: "worker" }, patch: 'machine:\n  sysctls:\n    vm.max_map_count: "262144"\n' },
        { name: "cp", selector: { role: "controlplane" }, patch: "cluster:\n  apiServer:\n    extraArgs:\n      event-ttl: 2h\n" },
      ],
      nodes: [
        node("cp-1", "controlplane", "10.0.0.11", "machine:\n  certSANs: [10.0.0.11]\n"),
        node("cp-2", "controlplane", "10.0.0.12", "machine:\n  certSANs: [10.0.0.12]\n"),
        node("w-1", "worker", "10.0.1.1", "machine:\n  certSANs: [10.0.1.1]\n  nodeLabels:\n    gpu: \"true\"\n"),
        node("w-2", "worker", "10.0.1.2", "machine:\n  certSANs: [10.0.1.2]\n"),
      ],
    };
    const running = runningFrom(m);
    const result = adoptManifest({ nodes: running, secrets });
    expect(result.manifest.patches).toEqual([
      { name: "all nodes", patch: "machine:\n    time:\n        servers:\n            - time.cloudflare.com\n" },
      { name: "control planes", selector: { role: "controlplane" }, patch: "cluster:\n    apiServer:\n        extraArgs:\n            event-ttl: 2h\n" },
      { name: "workers", selector: { role: "worker" }, patch: 'machine:\n    sysctls:\n        vm.max_map_count: "262144"\n' },
    ]);
    expect(result.manifest.nodes.map((n) => n.patch)).toEqual([
      "machine:\n    certSANs:\n        - 10.0.0.11\n",
      "machine:\n    certSANs:\n        - 10.0.0.12\n",
      'machine:\n    certSANs:\n        - 10.0.1.1\n    nodeLabels:\n        gpu: "true"\n',
      "machine:\n    certSANs:\n        - 10.0.1.2\n",
    ]);
    expect(result.yaml.startsWith("# Cluster manifest adopted by Minos")).toBe(true);
    expect(result.yaml).toContain("\nversion: 1\n");
    expect(result.yaml).toContain("  - name: workers\n    selector:\n      role: worker\n    patch: |\n      machine:\n");
    expectReproduced(running, result);
  });
});

describe("changes a merge cannot express", () => {
  it("deletes and sets again: a removed field, a value set back to zero, a reordered list, a removed document", () => {
    const m: Manifest = { cluster: cluster("v1.14.0"), nodes: [node("cp-1", "controlplane", "10.0.0.11"), node("w-1", "worker", "10.0.1.1"), node("w-2", "worker", "10.0.1.2")] };
    const edits = {
      // A field of the base removed, and a document removed.
      "w-1": "apiVersion: v1alpha1\nkind: KubeletConfig\ndefaultRuntimeSeccompProfileEnabled:\n  $patch: delete\n---\napiVersion: v1alpha1\nkind: FilesystemTrimConfig\n$patch: delete\n",
      // Lists in another order (merge:"replace" fields: set whole), and a taint of the base emptied.
      "cp-1": [
        // (replaces the whole configuration: `enabled` and `jwt` go)
        "apiVersion: v1alpha1\nkind: KubeAuthenticationConfig\nconfiguration:\n  anonymous:\n    conditions: [{path: /readyz}, {path: /livez}]\n",
        "apiVersion: v1alpha1\nkind: KubeNetworkConfig\npodSubnets: [10.96.0.0/12]\nserviceSubnets: [10.244.0.0/16]\n",
        "apiVersion: v1alpha1\nkind: KubeNodeConfig\ntaints:\n  node-role.kubernetes.io/control-plane:\n    $patch: delete\n",
        'apiVersion: v1alpha1\nkind: KubeNodeConfig\ntaints:\n  node-role.kubernetes.io/control-plane: ""\n',
      ].join("---\n"),
    };
    // A new CA put first: the list no longer extends the generated one.
    const cas = [secrets.certs.k8saggregator.crt, secrets.certs.k8s.crt];
    const casEdit = `apiVersion: v1alpha1\nkind: KubeAPIServerCAConfig\nacceptedCAs:\n  $patch: delete\n---\napiVersion: v1alpha1\nkind: KubeAPIServerCAConfig\nacceptedCAs: ${JSON.stringify(cas)}\n`;
    const running = runningFrom(m, { ...edits, "w-2": casEdit });
    const result = adoptManifest({ nodes: running, secrets });
    expectReproduced(running, result);
    const [cp, w1, w2] = result.manifest.nodes;
    expect(w1!.patch).toBe(
      "apiVersion: v1alpha1\nkind: KubeletConfig\ndefaultRuntimeSeccompProfileEnabled:\n    $patch: delete\n---\napiVersion: v1alpha1\nkind: FilesystemTrimConfig\n$patch: delete\n",
    );
    expect(cp!.patch).toBe(
      [
        "apiVersion: v1alpha1\nkind: KubeNodeConfig\ntaints:\n    node-role.kubernetes.io/control-plane:\n        $patch: delete\n",
        'apiVersion: v1alpha1\nkind: KubeNodeConfig\ntaints:\n    node-role.kubernetes.io/control-plane: ""\n',
        "apiVersion: v1alpha1\nkind: KubeNetworkConfig\npodSubnets:\n    - 10.96.0.0/12\nserviceSubnets:\n    - 10.244.0.0/16\n",
        // merge:"replace": the configuration is written whole.
        "apiVersion: v1alpha1\nkind: KubeAuthenticationConfig\nconfiguration:\n    anonymous:\n        conditions:\n            - path: /readyz\n            - path: /livez\n",
      ].join("---\n"),
    );
    const w2Patch = parseAllDocuments(w2!.patch!).map((d) => d.toJS() as unknown);
    expect(w2Patch).toEqual([
      { apiVersion: "v1alpha1", kind: "KubeAPIServerCAConfig", acceptedCAs: { $patch: "delete" } },
      { apiVersion: "v1alpha1", kind: "KubeAPIServerCAConfig", acceptedCAs: cas },
    ]);
  });

  it("reports a node whose config no patch can make, with the path", () => {
    // Up to 1.12 the base has `machine.network: {}`: a patch's interfaces merge into it by name.
    const m: Manifest = { cluster: cluster("v1.12.11"), nodes: [node("w-1", "worker", "10.0.1.1"), node("w-2", "worker", "10.0.1.2")] };
    const running = runningFrom(m);
    // Two entries for one interface: a patch's entries for one interface merge into one.
    const docs = parseAllDocuments(running[1]!.config).map((d) => d.toJS() as Record<string, Record<string, Record<string, unknown>>>);
    docs[0]!.machine!.network = { interfaces: [{ interface: "eth0", mtu: 9000 }, { interface: "eth0", dhcp: true }] };
    running[1]!.config = encodeConfig(docs);
    const result = adoptManifest({ nodes: running, secrets });
    expect(result.report.nodes[0]).toEqual({ address: "10.0.1.1", hostname: "w-1", reproduced: true });
    expect(result.report.nodes[1]).toMatchObject({ hostname: "w-2", reproduced: false, reason: "no Talos patch can make its config from the generated one" });
    expect(result.report.nodes[1]!.paths).toContain("machine.network.interfaces");
  });

  it("reports a node whose config does not load, and still adopts the others", () => {
    const m: Manifest = { cluster: cluster("v1.13.9"), nodes: [node("w-1", "worker", "10.0.1.1"), node("w-2", "worker", "10.0.1.2")] };
    const running = runningFrom(m);
    running[1]!.config = running[1]!.config.replace("machine:\n", "machine:\n    notAField: 1\n");
    const result = adoptManifest({ nodes: running, secrets });
    expect(result.report.nodes[0]!.reproduced).toBe(true);
    expect(result.report.nodes[1]).toMatchObject({ reproduced: false });
    expect(result.report.nodes[1]!.reason).toMatch(/^its config does not load: .*notAField.* \(line \d+\)$/);
    expect(result.manifest.nodes).toHaveLength(2);
  });
});

describe("the secrets bundle", () => {
  it("warns when patches carry what the bundle should give (another cluster's bundle)", async () => {
    const m: Manifest = { cluster: cluster("v1.13.9"), nodes: [node("cp-1", "controlplane", "10.0.0.11"), node("w-1", "worker", "10.0.1.1")] };
    const running = runningFrom(m);
    const other = await generateSecretsBundle({ talosVersion: "1.13" });
    const result = adoptManifest({ nodes: running, secrets: other });
    expect(result.report.warnings).toHaveLength(1);
    expect(result.report.warnings![0]).toMatch(/^the secrets bundle does not match the configs: patches set machine\.token, machine\.ca, /);
    expect(adoptManifest({ nodes: running, secrets }).report.warnings).toBeUndefined();
  });
});

describe("hostnames", () => {
  it.each(["v1.11.5", "v1.13.9", "v1.14.0"])("writes the hostname for nodes that have a static one, and setHostname: false for the others (%s)", (v) => {
    const m: Manifest = { cluster: cluster(v), nodes: [node("w-1", "worker", "10.0.1.1"), { ...node("w-2", "worker", "10.0.1.2"), setHostname: false }] };
    const running = runningFrom(m);
    const result = adoptManifest({ nodes: running, secrets });
    expect(result.manifest.nodes.map((n) => n.setHostname)).toEqual([undefined, false]);
    expect(result.manifest.nodes.every((n) => n.patch === undefined)).toBe(true);
    expectReproduced(running, result);
  });

  it("keeps a static hostname other than the node's name in its patch", () => {
    const m: Manifest = { cluster: cluster("v1.14.0"), nodes: [node("w-1", "worker", "10.0.1.1")] };
    const running = runningFrom(m);
    running[0]!.hostname = "worker-one";
    const result = adoptManifest({ nodes: running, secrets });
    // `auto` and `hostname` exclude each other: the generated `auto: stable` goes first.
    expect(result.manifest.nodes[0]).toMatchObject({
      hostname: "worker-one",
      setHostname: false,
      patch: "apiVersion: v1alpha1\nkind: HostnameConfig\nauto:\n    $patch: delete\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: w-1\n",
    });
    expectReproduced(running, result);
  });
});

describe("the simulator's fleets", () => {
  it.each(["1.10", "1.11", "1.12", "1.13", "1.14"] as const)("adopts a contract %s fleet built from per-role templates (address as a SAN, hostname written)", (v) => {
    const input: GenerateInput = { clusterName: "sim", endpoint: "https://10.5.0.2:6443", kubernetesVersion: "1.33.2", talosVersion: v, secrets, additionalSans: ["sim.example.com"] };
    const templates = { controlplane: buildConfigTemplate(input, "controlplane"), worker: buildConfigTemplate(input, "worker") };
    const nodes: AdoptNodeInput[] = ["cp-1", "cp-2", "cp-3", "w-1", "w-2"].map((hostname, i) => {
      const role = hostname.startsWith("cp") ? "controlplane" : "worker";
      const address = `10.5.0.${10 + i}`;
      return { address, hostname, role, config: renderNodeConfig(templates[role], { address, hostname }) };
    });
    const result = adoptManifest({ nodes, secrets });
    expectReproduced(nodes, result);
    expect(result.contract.chosen).toBe(v);
    expect(result.manifest.generate?.additionalSans).toEqual(["sim.example.com"]);
    // Nothing shared beyond gen config: each node's own patch holds just its address.
    expect(result.manifest.patches).toBeUndefined();
    expect(parse(result.manifest.nodes[4]!.patch!)).toEqual({ machine: { certSANs: ["10.5.0.14"] } });
  });
});

describe("the adopted manifest as a whole", () => {
  it("reports every node when the manifest would be refused: two nodes with one hostname", () => {
    const m: Manifest = { cluster: cluster("v1.13.9"), nodes: [node("cp", "controlplane", "10.0.0.1"), node("w", "worker", "10.0.0.2"), node("w-2", "worker", "10.0.0.3")] };
    const running = runningFrom(m);
    // Two machines that both call themselves `w`: the manifest keys nodes by hostname.
    running[2]!.hostname = "w";
    const result = adoptManifest({ nodes: running, secrets });
    expect(parseManifest(result.yaml).issues.filter((i) => i.severity === "error")).toHaveLength(1);
    expect(result.report.nodes.map((n) => n.reproduced)).toEqual([false, false, false]);
    expect(result.report.nodes[2]!.reason).toMatch(/^the adopted manifest is not valid for it: line \d+: hostname w is listed twice \(first for 10\.0\.0\.2 on line \d+\)$/);
    expect(result.report.nodes[0]!.reason).toMatch(/^the adopted manifest is not valid: line \d+: hostname w is listed twice/);
  });

  it("writes no YAML anchors or aliases, even for objects the manifest shares", () => {
    const selector = { role: "worker" as const };
    const labels = { zone: "a" };
    const m: Manifest = {
      cluster: cluster("v1.13.9"),
      patches: [
        { name: "a", selector, patch: "machine:\n  sysctls:\n    a: \"1\"\n" },
        { name: "b", selector, patch: "machine:\n  sysctls:\n    b: \"1\"\n" },
      ],
      nodes: [
        { ...node("w-1", "worker", "10.0.1.1"), labels },
        { ...node("w-2", "worker", "10.0.1.2"), labels },
      ],
    };
    const text = manifestYaml(m);
    expect(anchorsAndAliases(text)).toEqual([]);
    expect(manifestSchema.parse(parse(text))).toEqual(m);
  });
});

describe("registry mirrors with credentials", () => {
  const password = "s3cr3t-mirror-pw";
  const url = `https://robot:${password}@mirror.example.com`;
  const mirrorPatch = (minor: number) =>
    minor >= 12
      ? `apiVersion: v1alpha1\nkind: RegistryMirrorConfig\nname: docker.io\nendpoints:\n  - url: ${url}\n`
      : `machine:\n  registries:\n    mirrors:\n      docker.io:\n        endpoints: [${url}]\n`;

  it.each([11, 13, 14])("keeps them out of `generate`: only a patch string holds them, and redaction hides them (1.%i)", (minor) => {
    const versions: Record<number, string> = { 11: "v1.11.5", 13: "v1.13.9", 14: "v1.14.0" };
    const m: Manifest = {
      cluster: cluster(versions[minor]!),
      generate: { registryMirrors: { "ghcr.io": ["https://ghcr-cache.example.com"] } },
      patches: [{ name: "mirror", patch: mirrorPatch(minor) }],
      nodes: [node("cp-1", "controlplane", "10.0.0.11"), node("w-1", "worker", "10.0.1.1")],
    };
    const running = runningFrom(m);
    expect(running.every((n) => n.config.includes(password))).toBe(true);
    const result = adoptManifest({ nodes: running, secrets });
    expectReproduced(running, result);
    // The credential-free mirror stays a gen config input; the other is a patch's.
    expect(result.manifest.generate?.registryMirrors).toEqual({ "ghcr.io": ["https://ghcr-cache.example.com"] });
    const withoutPatches = structuredClone(result.manifest);
    for (const p of withoutPatches.patches ?? []) p.patch = "";
    for (const n of withoutPatches.nodes) delete n.patch;
    expect(JSON.stringify(withoutPatches)).not.toContain(password);
    expect(result.manifest.patches?.some((p) => p.patch.includes(password))).toBe(true);
    expect(result.yaml).toContain(password);
    expect(redactManifest(result.yaml)).not.toContain(password);
  });

  it("keeps a cluster endpoint with credentials in a patch too", () => {
    const m: Manifest = {
      cluster: cluster("v1.13.9"),
      patches: [{ name: "endpoint", patch: `cluster:\n  controlPlane:\n    endpoint: https://admin:${password}@10.0.0.10:6443\n` }],
      nodes: [node("cp-1", "controlplane", "10.0.0.11"), node("w-1", "worker", "10.0.1.1")],
    };
    const running = runningFrom(m);
    const result = adoptManifest({ nodes: running, secrets });
    expectReproduced(running, result);
    expect(result.manifest.cluster.endpoint).toBe("https://10.0.0.10:6443");
    expect(redactManifest(result.yaml)).not.toContain(password);
  });
});
