/**
 * Adoption: a cluster manifest from the running configs of an existing cluster's nodes, such
 * that rendering it reproduces every node's config (semantic equality, ../compare.ts). Pure.
 *
 * 1. Read every config as Talos does (canonical form) and infer gen config's inputs from them
 *    (./infer.ts). Configs do not record the contract they were generated with: each candidate
 *    (the newest node version's minor down to 1.10) is tried on one node per role, and the one
 *    whose base needs the smallest patches wins (a tie: the newest).
 * 2. Each node's delta from its base (gen config for its role, plus its hostname unless its
 *    config has none) as strategic-merge operations (./delta.ts).
 * 3. What every node shares becomes one patch for all nodes, what every node of a role shares
 *    one patch per role, the rest the node's own patch (./factor.ts).
 * 4. The manifest's text is rendered back for every node and compared with its running config:
 *    a node that differs is reported with the differing paths. The caller saves nothing then.
 */
import { Document, isScalar, visit } from "yaml";

import { applyPatches } from "@/lib/config/patch";
import { canonicalConfig, configDifferences } from "@/lib/manifest/compare";
import { ManifestRenderer } from "@/lib/manifest/render";
import { parseManifest } from "@/lib/manifest/parse";
import { MANIFEST_VERSION, talosVersionSchema, type Manifest, type ManifestNode, type ManifestPatch } from "@/lib/manifest/schema";
import { TALOS_MINORS, type TalosMinor } from "@/lib/talos/constants";
import { contractFor, type MachineRole } from "@/lib/talos/generate";
import { encodeGoYamlDocuments } from "@/lib/talos/generate/yaml";
import type { SecretsBundle } from "@/lib/talos/secrets/bundle";
import { SourceError } from "@/lib/talos/errors";
import { compareTalosVersions, parseTalosVersion } from "@/lib/talos/version";

import { diffDocument, type ConfigDocument, type Op } from "./delta";
import { docOfKind, dig, readDocuments } from "./documents";
import { factorOps, writePatch } from "./factor";
import { AdoptError, generateOptions, inferInputs, nonDefaultInputs, type Inferred } from "./infer";

export { AdoptError } from "./infer";

export interface AdoptNodeInput {
  address: string;
  hostname: string;
  role: MachineRole;
  /** The node's running machine config. */
  config: string;
  /** The node's Talos version (`v1.13.9`), when known: bounds the contracts tried. */
  version?: string;
}

export interface AdoptInput {
  nodes: readonly AdoptNodeInput[];
  secrets: SecretsBundle;
  cluster?: { talosVersion?: string; kubernetesVersion?: string };
}

export interface AdoptNodeReport {
  address: string;
  hostname: string;
  reproduced: boolean;
  reason?: string;
  /** Where the render differs from the running config (configDifferences' paths). */
  paths?: string[];
}

export interface AdoptResult {
  manifest: Manifest;
  yaml: string;
  /**
   * `warnings`: what the caller should show before saving, e.g. patches that carry what the
   * secrets bundle should have given (the bundle is not the cluster's).
   */
  report: { nodes: AdoptNodeReport[]; warnings?: string[] };
  /** The contract chosen and how large each candidate's patches were (operations), for the curious. */
  contract: { chosen: TalosMinor; candidates: { contract: TalosMinor; cost: number }[] };
}

/**
 * Where generation writes values of the secrets bundle: a patch setting one of them means the
 * bundle given is not the one the cluster was generated with, and the manifest would carry the
 * cluster's secrets in its patches.
 */
const BUNDLE_PATHS: Readonly<Record<string, readonly string[]>> = {
  v1alpha1: ["machine.token", "machine.ca", "cluster.id", "cluster.secret", "cluster.token", "cluster.secretboxEncryptionSecret", "cluster.aescbcEncryptionSecret", "cluster.ca", "cluster.aggregatorCA", "cluster.serviceAccount", "cluster.etcd.ca"],
  DiscoveryIdentityConfig: [""],
  KubeAPIServerCAConfig: [""],
  KubeAggregatorCAConfig: [""],
  KubeServiceAccountConfig: ["issuer.privateKey"],
  KubeEtcdEncryptionConfig: [""],
};

function bundleMismatch(ops: readonly Op[], docs: ReadonlyMap<string, ConfigDocument>): string[] {
  const out = new Set<string>();
  for (const op of ops) {
    const doc = docs.get(op.doc);
    const prefixes = doc ? BUNDLE_PATHS[doc.kind] : undefined;
    if (!doc || !prefixes) continue;
    const p = op.path.join(".");
    const hit = prefixes.find((x) => x === "" || p === x || p.startsWith(`${x}.`) || x.startsWith(`${p}.`));
    if (hit !== undefined) out.add(doc.kind === "v1alpha1" ? hit || p : `${doc.kind}${hit ? `.${hit}` : ""}`);
  }
  return [...out];
}

/** Names of the shared patches adoption writes. */
export const ALL_NODES_PATCH = "all nodes";
export const ROLE_PATCH: Record<MachineRole, string> = { controlplane: "control planes", worker: "workers" };

interface ReadNode {
  input: AdoptNodeInput;
  index: number;
  canonical: string;
  docs: ConfigDocument[];
}

const opCost = (op: Op): number => 1 + size(op.value);
function size(v: unknown): number {
  if (Array.isArray(v)) return v.reduce<number>((n, x) => n + size(x), 0);
  if (typeof v === "object" && v !== null) return Object.values(v).reduce<number>((n, x) => n + size(x), 0);
  return v === undefined ? 0 : 1;
}

/** The config's static hostname and where it is written, if any. */
function staticHostname(docs: readonly ConfigDocument[]): { hostname: string; multidoc: boolean } | null {
  const doc = docOfKind(docs, "HostnameConfig");
  if (typeof doc?.hostname === "string" && doc.hostname !== "") return { hostname: doc.hostname, multidoc: true };
  const legacy = dig(docOfKind(docs, "v1alpha1"), "machine", "network", "hostname");
  if (typeof legacy === "string" && legacy !== "") return { hostname: legacy, multidoc: false };
  return null;
}

/** Whether the manifest writes the node's hostname for it (else `setHostname: false`). */
function writesHostname(node: ReadNode, contract: TalosMinor): boolean {
  const h = staticHostname(node.docs);
  return h !== null && h.hostname === node.input.hostname && h.multidoc === Number(contract.split(".")[1]) >= 12;
}

/** The per-role generated documents of one contract, canonical, and a node's base from them. */
class Bases {
  private readonly byRole = new Map<MachineRole, ConfigDocument[]>();
  readonly renderer: ManifestRenderer;
  constructor(
    readonly contract: TalosMinor,
    skeleton: Manifest,
    secrets: SecretsBundle,
  ) {
    this.renderer = new ManifestRenderer(skeleton, secrets);
  }

  role(role: MachineRole): ConfigDocument[] {
    let docs = this.byRole.get(role);
    if (!docs) {
      const text = encodeGoYamlDocuments(this.renderer.generated(role));
      docs = readDocuments(canonicalConfig(text) ?? text);
      this.byRole.set(role, docs);
    }
    return docs;
  }

  /** withHostname (../render.ts) on the canonical documents. */
  forNode(node: ReadNode): ConfigDocument[] {
    const docs = this.role(node.input.role);
    if (!writesHostname(node, this.contract)) return docs;
    const hostname = node.input.hostname;
    return docs.map((d) => {
      if (d.kind === "HostnameConfig") return { ...d, body: { apiVersion: "v1alpha1", kind: "HostnameConfig", hostname } };
      if (d.kind !== "v1alpha1" || docs.some((x) => x.kind === "HostnameConfig")) return d;
      const machine = (d.body.machine ?? {}) as Record<string, unknown>;
      const network = (machine.network ?? {}) as Record<string, unknown>;
      return { ...d, body: { ...d.body, machine: { ...machine, network: { hostname, ...network } } } };
    });
  }
}

interface NodeDelta {
  ops: Op[];
  problems: string[];
  /** Every document either side has, by identity (for patch headers). */
  docs: Map<string, ConfigDocument>;
  /** Identities in the order the running config has them, then the base's others. */
  order: string[];
}

function nodeDelta(base: readonly ConfigDocument[], running: readonly ConfigDocument[]): NodeDelta {
  const baseById = new Map(base.map((d) => [d.id, d]));
  const runningById = new Map(running.map((d) => [d.id, d]));
  const ops: Op[] = [];
  const problems: string[] = [];
  const docs = new Map<string, ConfigDocument>();
  const order: string[] = [];
  const add = (d: ConfigDocument | undefined, r: ConfigDocument | undefined) => {
    const delta = diffDocument(d, r);
    ops.push(...delta.ops);
    problems.push(...delta.problems);
    const doc = (r ?? d)!;
    docs.set(doc.id, doc);
    order.push(doc.id);
  };
  for (const r of running) add(baseById.get(r.id), r);
  for (const d of base) if (!runningById.has(d.id)) add(d, undefined);
  return { ops, problems, docs, order };
}

function skeleton(inferred: Inferred, contract: TalosMinor, talosVersion: string, nodes: ManifestNode[]): Manifest {
  const generate = generateOptions(inferred, contract);
  return {
    version: MANIFEST_VERSION,
    cluster: { name: inferred.clusterName, endpoint: inferred.endpoint, talosVersion, kubernetesVersion: inferred.kubernetesVersion },
    ...(Object.keys(generate).length > 0 ? { generate } : {}),
    nodes,
  };
}

/** The contracts to try, newest first. */
function candidateContracts(nodes: readonly AdoptNodeInput[], given?: string): TalosMinor[] {
  if (given) {
    if (!talosVersionSchema.safeParse(given).success) throw new AdoptError(`${JSON.stringify(given)} is not a Talos version like v1.13.9`);
    return [contractFor(given)];
  }
  const versions = nodes.map((n) => n.version).filter((v): v is string => v !== undefined && parseTalosVersion(v) !== null);
  versions.sort((a, b) => compareTalosVersions(b, a));
  const newest = versions[0] ? contractFor(versions[0]) : TALOS_MINORS.at(-1)!;
  return TALOS_MINORS.filter((m) => Number(m.split(".")[1]) <= Number(newest.split(".")[1])).reverse();
}

/** The manifest's talosVersion for a contract: the newest node version of that minor, else `v1.X.0`. */
function talosVersionFor(contract: TalosMinor, nodes: readonly AdoptNodeInput[], given?: string): string {
  if (given) return given;
  const same = nodes
    .map((n) => n.version)
    .filter((v): v is string => v !== undefined && parseTalosVersion(v) !== null && contractFor(v) === contract && `${parseTalosVersion(v)!.major}.${parseTalosVersion(v)!.minor}` === contract);
  same.sort((a, b) => compareTalosVersions(b, a));
  return same[0] ?? `v${contract}.0`;
}

const HEADER = (n: number) =>
  [
    ` Cluster manifest adopted by Minos from the running configs of ${n} node${n === 1 ? "" : "s"}.`,
    " A node's config is talosctl gen config for its role (with the cluster's secrets bundle, kept",
    " apart from this file), its hostname, every patch whose selector matches it in order, then",
    " its own patch.",
  ].join("\n");

/** The manifest as YAML: patches as literal blocks, the header comment on top. */
export function manifestYaml(manifest: Manifest): string {
  // No anchors or aliases for objects used twice: manifests refuse them (a reader must see each
  // value where it applies), and nothing of a manifest is shared by reference on purpose.
  const doc = new Document(manifest, { aliasDuplicateObjects: false });
  doc.commentBefore = HEADER(manifest.nodes.length);
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === "patch" && isScalar(pair.value) && typeof pair.value.value === "string") pair.value.type = "BLOCK_LITERAL";
    },
  });
  return doc.toString({ indent: 2, lineWidth: 0 });
}

/** Why a config does not load, as the patcher says it (no values quoted). */
function loadError(config: string): string {
  try {
    applyPatches(config, []);
    return "its config does not load";
  } catch (e) {
    const line = e instanceof SourceError && e.place.line !== undefined ? ` (line ${e.place.line})` : "";
    return `its config does not load: ${(e as Error).message}${line}`;
  }
}

/**
 * Adopts a cluster: the manifest, its YAML text and a per-node report. Every node is in the
 * manifest; a node whose config does not load or is not reproduced by the manifest is reported
 * with the reason and paths. @throws AdoptError when nothing can be inferred (no node, no
 * readable config, no cluster name or endpoint).
 */
export function adoptManifest(input: AdoptInput): AdoptResult {
  if (input.nodes.length === 0) throw new AdoptError("no nodes to adopt");
  const unreadable = new Map<number, string>();
  const read: ReadNode[] = [];
  input.nodes.forEach((n, index) => {
    const canonical = canonicalConfig(n.config);
    if (canonical === null) {
      unreadable.set(index, loadError(n.config));
      return;
    }
    try {
      read.push({ input: n, index, canonical, docs: readDocuments(canonical) });
    } catch (e) {
      unreadable.set(index, `its config does not load: ${(e as Error).message}`);
    }
  });
  if (read.length === 0) throw new AdoptError("no node's config loads: nothing to adopt from");
  const inferred = inferInputs(
    read.map((n) => ({ role: n.input.role, docs: n.docs })),
    { kubernetesVersion: input.cluster?.kubernetesVersion },
  );

  // Contract: the candidate whose bases are closest to one node of each role.
  const reps = (["controlplane", "worker"] as const).map((role) => read.find((n) => n.input.role === role)).filter((n): n is ReadNode => n !== undefined);
  const candidates: { contract: TalosMinor; cost: number; bases: Bases }[] = [];
  for (const contract of candidateContracts(input.nodes, input.cluster?.talosVersion)) {
    const bases = new Bases(contract, skeleton(inferred, contract, `v${contract}.0`, [{ address: "x", hostname: "x", role: "worker" }]), input.secrets);
    // Each input gen config must be given counts a little: between contracts whose bases are
    // equally close, the one whose defaults (its installer image) the configs carry wins.
    let cost = nonDefaultInputs(inferred, contract) / 2;
    for (const rep of reps) {
      const d = nodeDelta(bases.forNode(rep), rep.docs);
      cost += d.ops.reduce((n, op) => n + opCost(op), 0) + 1000 * d.problems.length;
    }
    candidates.push({ contract, cost, bases });
  }
  const best = candidates.reduce((a, b) => (b.cost < a.cost ? b : a));
  const { contract, bases } = best;

  // Deltas, then factoring: all nodes, then each role, then each node.
  const deltas = read.map((n) => nodeDelta(bases.forNode(n), n.docs));
  const docs = new Map<string, ConfigDocument>();
  const order: string[] = [];
  for (const d of deltas) {
    for (const [id, doc] of d.docs) if (!docs.has(id)) docs.set(id, doc);
    for (const id of d.order) if (!order.includes(id)) order.push(id);
  }
  const patches: ManifestPatch[] = [];
  let lists = deltas.map((d) => d.ops);
  const all = factorOps(lists);
  lists = all.rest;
  if (all.shared.length > 0) patches.push({ name: ALL_NODES_PATCH, patch: writePatch(all.shared, docs, order) });
  for (const role of ["controlplane", "worker"] as const) {
    const members = read.flatMap((n, i) => (n.input.role === role ? [i] : []));
    const f = factorOps(members.map((i) => lists[i]!));
    if (f.shared.length === 0) continue;
    members.forEach((i, j) => (lists[i] = f.rest[j]!));
    patches.push({ name: ROLE_PATCH[role], selector: { role }, patch: writePatch(f.shared, docs, order) });
  }

  const readByIndex = new Map(read.map((n, i) => [n.index, i]));
  const nodes: ManifestNode[] = input.nodes.map((n, index) => {
    const node: ManifestNode = { address: n.address, hostname: n.hostname, role: n.role };
    const i = readByIndex.get(index);
    if (i === undefined) return node;
    if (!writesHostname(read[i]!, contract)) node.setHostname = false;
    const d = deltas[i]!;
    if (lists[i]!.length > 0) node.patch = writePatch(lists[i]!, docs, d.order);
    return node;
  });
  const built = skeleton(inferred, contract, talosVersionFor(contract, input.nodes, input.cluster?.talosVersion), nodes);
  const ordered: Manifest = { version: built.version, cluster: built.cluster, ...(built.generate ? { generate: built.generate } : {}), ...(patches.length > 0 ? { patches } : {}), nodes };
  const yaml = manifestYaml(ordered);
  const mismatch = bundleMismatch(
    deltas.flatMap((d) => d.ops),
    docs,
  );
  let warnings = mismatch.length > 0 ? [`the secrets bundle does not match the configs: patches set ${mismatch.slice(0, 10).join(", ")}${mismatch.length > 10 ? ", …" : ""}`] : undefined;

  // The invariant, on the text itself: what a reader of the YAML gets. parseManifest is what
  // every later PUT, plan and render runs, so its errors (two nodes with one hostname, say) mean
  // the manifest would be refused there: no node counts as reproduced, and the caller saves nothing.
  const parsed = parseManifest(yaml);
  const report: AdoptNodeReport[] = input.nodes.map((n) => ({ address: n.address, hostname: n.hostname, reproduced: false }));
  const errors = parsed.issues.filter((i) => i.severity === "error");
  const notes = parsed.issues.filter((i) => i.severity !== "error").map((i) => `line ${i.line}: ${i.message}`);
  if (notes.length > 0) warnings = [...(warnings ?? []), ...notes];
  const result = (manifest: Manifest): AdoptResult => ({
    manifest,
    yaml,
    report: { nodes: report, ...(warnings ? { warnings } : {}) },
    contract: { chosen: contract, candidates: candidates.map(({ contract: c, cost }) => ({ contract: c, cost })) },
  });
  if (errors.length > 0 || !parsed.manifest) {
    const own = new Map<number, string[]>();
    const general: string[] = [];
    for (const issue of errors) {
      const text = `line ${issue.line}: ${issue.message}`;
      const at = issue.path[0] === "nodes" && typeof issue.path[1] === "number" ? [issue.path[1]] : input.nodes.flatMap((n, i) => (issue.nodes.includes(n.hostname) ? [i] : []));
      if (at.length === 0) general.push(text);
      for (const i of at) own.set(i, [...(own.get(i) ?? []), text]);
    }
    const summary = [...general, ...[...own.values()].flat()];
    report.forEach((r, i) => {
      const mine = own.get(i);
      r.reason = mine
        ? `the adopted manifest is not valid for it: ${mine.join("; ")}`
        : `the adopted manifest is not valid: ${summary.slice(0, 5).join("; ")}${summary.length > 5 ? "; …" : ""}`;
    });
    return result(ordered);
  }
  const manifest = parsed.manifest;
  const renderer = new ManifestRenderer(manifest, input.secrets);
  input.nodes.forEach((_, index) => {
    const r = report[index]!;
    const why = unreadable.get(index);
    if (why !== undefined) {
      r.reason = why;
      return;
    }
    const node = read[readByIndex.get(index)!]!;
    const delta = deltas[readByIndex.get(index)!]!;
    let rendered: string;
    try {
      rendered = renderer.render(manifest.nodes[index]!);
    } catch (e) {
      r.reason = `the manifest does not render for it: ${(e as Error).message}`;
      if (delta.problems.length > 0) r.paths = delta.problems;
      return;
    }
    // Both sides are Talos's encoder output: compare them as they are.
    const paths = configDifferences(rendered, node.canonical, { canonical: false });
    if (paths.length === 0) {
      r.reproduced = true;
      return;
    }
    r.reason = delta.problems.length > 0 ? "no Talos patch can make its config from the generated one" : "the manifest does not reproduce its running config";
    r.paths = [...new Set([...delta.problems, ...paths])].slice(0, 51);
  });
  return result(manifest);
}
