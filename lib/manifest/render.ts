/**
 * One node's machine config from the cluster manifest, as an operator would build it with
 * talosctl: `talosctl gen config` for the node's role (the cluster's inputs and secrets bundle,
 * the contract of cluster.talosVersion), the node's hostname written in (HostnameConfig from
 * contract 1.12, machine.network.hostname before, as lib/talos/generate/template.ts does), then
 * `--config-patch` with every selected patch in manifest order and the node's own patch last.
 */
import { loadPatch, applyPatches, type ConfigPatch } from "@/lib/config/patch";
import { SourceError } from "@/lib/talos/errors";
import { contractFor, generateDocuments, type GenerateInput, type MachineRole } from "@/lib/talos/generate";
import { encodeGoYamlDocuments, type GoYamlValue } from "@/lib/talos/generate/yaml";
import type { SecretsBundle } from "@/lib/talos/secrets/bundle";

import type { Manifest, ManifestNode } from "./schema";
import { MANIFEST_LIMITS } from "./schema";
import { patchingBudgetMessage, selectedFor, type SelectionTable } from "./select";

type Doc = Record<string, GoYamlValue | undefined>;

/** How a patch is named in errors: the CLI prints `<name>:LINE:COL`, the editor maps it back. */
export const patchSource = (index: number, name: string) => `patches[${index}] "${name}"`;
export const nodePatchSource = (node: ManifestNode) => `nodes[${node.hostname}].patch`;

/** The inputs of `talosctl gen config` the manifest describes. */
export function generateInput(manifest: Manifest, secrets: SecretsBundle): GenerateInput {
  const g = manifest.generate ?? {};
  return {
    clusterName: manifest.cluster.name,
    endpoint: manifest.cluster.endpoint,
    kubernetesVersion: manifest.cluster.kubernetesVersion,
    talosVersion: contractFor(manifest.cluster.talosVersion),
    secrets,
    additionalSans: g.additionalSans,
    dnsDomain: g.dnsDomain,
    installDisk: g.installDisk,
    installImage: g.installImage,
    registryMirrors: g.registryMirrors ? Object.entries(g.registryMirrors).map(([host, endpoints]) => ({ host, endpoints })) : undefined,
    discovery: g.discovery,
    kubeSpan: g.kubeSpan,
  };
}

/** The generated documents with the node's hostname in them. */
export function withHostname(docs: GoYamlValue[], hostname: string): GoYamlValue[] {
  const out = [...docs] as Doc[];
  const i = out.findIndex((d) => d.kind === "HostnameConfig");
  if (i >= 0) {
    // network/hostname.go: `auto` and `hostname` exclude each other.
    out[i] = { apiVersion: "v1alpha1", kind: "HostnameConfig", hostname };
  } else {
    const v1 = { ...out[0]! };
    const machine = { ...(v1.machine as Doc) };
    // v1alpha1 NetworkConfig: hostname is its first field.
    machine.network = { hostname, ...((machine.network as Doc | undefined) ?? {}) };
    v1.machine = machine;
    out[0] = v1;
  }
  return out;
}

/**
 * Renders nodes of one manifest: the generated documents per role, each node's selection (or
 * the table parseManifest computed) and the loaded patches are computed once and shared by
 * every node. Errors are SourceErrors naming the patch (by {@link patchSource} /
 * {@link nodePatchSource}) with the line inside it. The patch text applied over the renderer's
 * life is bounded by MANIFEST_LIMITS.patchingBytes, as parseManifest bounds the manifest.
 */
export class ManifestRenderer {
  private readonly base = new Map<MachineRole, GoYamlValue[]>();
  private readonly loaded = new Map<number, ConfigPatch>();
  /** Node patches by source and text (a node rendered again, for a plan after a check). */
  private readonly nodeLoaded = new Map<string, ConfigPatch>();
  private readonly selection = new Map<ManifestNode, readonly number[]>();
  private readonly input: GenerateInput;
  /** Patch text applied so far, each node counted once. */
  private patched = 0;
  private readonly counted = new Set<ManifestNode>();

  /** `selection`: the manifest's selection table (parseManifest's), else computed per node on demand. */
  constructor(
    readonly manifest: Manifest,
    secrets: SecretsBundle,
    selection?: SelectionTable,
  ) {
    this.input = generateInput(manifest, secrets);
    if (selection && selection.length === manifest.nodes.length) manifest.nodes.forEach((n, i) => this.selection.set(n, selection[i]!));
  }

  /** The role's generated documents (without any hostname). */
  generated(role: MachineRole): GoYamlValue[] {
    let docs = this.base.get(role);
    if (!docs) {
      docs = generateDocuments(this.input, role);
      this.base.set(role, docs);
    }
    return docs;
  }

  /** The shared patches that apply to `node`, in manifest order, as indexes into `patches`. */
  selectedPatches(node: ManifestNode): number[] {
    let chosen = this.selection.get(node);
    if (!chosen) {
      chosen = selectedFor(this.manifest, node);
      this.selection.set(node, chosen);
    }
    return [...chosen];
  }

  private sharedPatch(i: number): ConfigPatch {
    let p = this.loaded.get(i);
    if (!p) {
      const entry = this.manifest.patches![i]!;
      p = loadPatch(entry.patch, patchSource(i, entry.name));
      this.loaded.set(i, p);
    }
    return p;
  }

  private nodePatch(node: ManifestNode): ConfigPatch {
    const source = nodePatchSource(node);
    const key = `${source}\n${node.patch!}`;
    let p = this.nodeLoaded.get(key);
    if (!p) {
      p = loadPatch(node.patch!, source);
      this.nodeLoaded.set(key, p);
    }
    return p;
  }

  /** The config before any patch: gen config for the role, with the hostname. */
  unpatched(node: ManifestNode): string {
    const docs = this.generated(node.role);
    return encodeGoYamlDocuments(node.setHostname === false ? docs : withHostname(docs, node.hostname));
  }

  /** The node's machine config, as talosctl writes it. @throws SourceError */
  render(node: ManifestNode): string {
    const selected = this.selectedPatches(node);
    if (!this.counted.has(node)) this.patched += selected.reduce((n, i) => n + this.manifest.patches![i]!.patch.length, 0) + (node.patch?.length ?? 0);
    this.counted.add(node);
    const over = this.patched > MANIFEST_LIMITS.patchingBytes ? patchingBudgetMessage(this.patched) : null;
    if (over) throw new SourceError(over, { source: `nodes[${node.hostname}]` });
    const patches = selected.map((i) => this.sharedPatch(i));
    if (node.patch !== undefined && node.patch.trim() !== "") patches.push(this.nodePatch(node));
    return applyPatches(this.unpatched(node), patches, { configSource: `nodes[${node.hostname}]` });
  }
}

/**
 * One node of the manifest by hostname, address or Minos node id (`<address>@<cluster>`). The
 * `@cluster` part is not checked: the caller already holds the cluster's manifest. parseManifest
 * refuses a hostname equal to another node's address, so a reference names one node.
 */
export function findNode(manifest: Manifest, ref: string): ManifestNode | undefined {
  const at = ref.lastIndexOf("@");
  const key = at > 0 ? ref.slice(0, at) : ref;
  return manifest.nodes.find((n) => n.hostname === key || n.address === key);
}
