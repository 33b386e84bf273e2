/**
 * Live validation of a cluster manifest: the manifest itself (parse.ts) and every node's rendered
 * machine config (Minos's config validator, for the contract's Talos minor), each problem placed
 * on the manifest line that produced the value and naming the nodes it affects. A config problem
 * goes to the last layer that set its path: the node's own patch, else the last selected shared
 * patch that sets it, else the generation input it comes from, else the node's entry.
 * Work is linear: one renderer (generated documents per role, each patch loaded once), one
 * render and one validation per node, each patch text parsed once for attribution.
 */
import type { Document, LineCounter } from "yaml";

import { parseConfigYaml, type ParseResult } from "@/lib/config/parse";
import { positionForPath, type PathSegment, type SourcePosition } from "@/lib/config/positions";
import type { ConfigIssue, ValidationMode } from "@/lib/config/types";
import { validateConfig } from "@/lib/config/validate";
import type { ManifestIssue } from "@/lib/schemas/manifests";
import { SourceError } from "@/lib/talos/errors";
import { contractFor } from "@/lib/talos/generate";
import type { SecretsBundle } from "@/lib/talos/secrets/bundle";
import { documentKind, V1ALPHA1 } from "@/lib/talos/documents";

import { issueAt, parseManifest, patchErrorPosition, patchOrigin, sortIssues, sourceErrorMessage, type ParsedManifest, type PatchOrigin } from "./parse";
import { scrubIssues } from "./secrets";
import { ManifestRenderer, nodePatchSource, patchSource } from "./render";
import type { Manifest, ManifestNode } from "./schema";

export interface CheckOptions {
  /** `talosctl validate --mode`: without one, only the rules every mode shares apply. */
  mode?: ValidationMode;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** A rendered or patch document's identity: "v1alpha1", or kind plus name for named kinds. */
interface Identity {
  kind: string;
  name?: string;
}

function identityOf(value: unknown): Identity | null {
  if (!isObj(value)) return null;
  const kind = documentKind(value);
  if (kind === null) return null;
  return kind === V1ALPHA1 ? { kind } : { kind, name: typeof value.name === "string" ? value.name : undefined };
}

const sameIdentity = (a: Identity, b: Identity) => a.kind === b.kind && (a.name === undefined || b.name === undefined || a.name === b.name);

// ---- generation inputs: which manifest key a generated value comes from ----

type InputRule = { kind: string; prefix: PathSegment[]; to: PathSegment[] | "hostname" };

const KUBE_IMAGE: PathSegment[] = ["cluster", "kubernetesVersion"];
const INPUT_RULES: InputRule[] = [
  { kind: V1ALPHA1, prefix: ["machine", "certSANs"], to: ["generate", "additionalSans"] },
  { kind: V1ALPHA1, prefix: ["cluster", "apiServer", "certSANs"], to: ["generate", "additionalSans"] },
  { kind: V1ALPHA1, prefix: ["machine", "install", "disk"], to: ["generate", "installDisk"] },
  { kind: V1ALPHA1, prefix: ["machine", "install", "image"], to: ["generate", "installImage"] },
  { kind: V1ALPHA1, prefix: ["cluster", "clusterName"], to: ["cluster", "name"] },
  { kind: V1ALPHA1, prefix: ["cluster", "controlPlane", "endpoint"], to: ["cluster", "endpoint"] },
  { kind: V1ALPHA1, prefix: ["cluster", "apiServer", "image"], to: KUBE_IMAGE },
  { kind: V1ALPHA1, prefix: ["cluster", "controllerManager", "image"], to: KUBE_IMAGE },
  { kind: V1ALPHA1, prefix: ["cluster", "scheduler", "image"], to: KUBE_IMAGE },
  { kind: V1ALPHA1, prefix: ["cluster", "proxy", "image"], to: KUBE_IMAGE },
  { kind: V1ALPHA1, prefix: ["machine", "kubelet", "image"], to: KUBE_IMAGE },
  { kind: V1ALPHA1, prefix: ["cluster", "network", "dnsDomain"], to: ["generate", "dnsDomain"] },
  { kind: V1ALPHA1, prefix: ["machine", "registries", "mirrors"], to: ["generate", "registryMirrors"] },
  { kind: V1ALPHA1, prefix: ["cluster", "discovery"], to: ["generate", "discovery"] },
  { kind: V1ALPHA1, prefix: ["machine", "network", "kubespan"], to: ["generate", "kubeSpan"] },
  { kind: V1ALPHA1, prefix: ["machine", "network", "hostname"], to: "hostname" },
  // The 1.12+ documents gen config writes.
  { kind: "HostnameConfig", prefix: [], to: "hostname" },
  { kind: "KubeClusterConfig", prefix: ["clusterName"], to: ["cluster", "name"] },
  { kind: "KubeClusterConfig", prefix: ["endpoint"], to: ["cluster", "endpoint"] },
  { kind: "KubeletConfig", prefix: ["image"], to: KUBE_IMAGE },
  { kind: "KubeNetworkConfig", prefix: ["dnsDomain"], to: ["generate", "dnsDomain"] },
  { kind: "RegistryMirrorConfig", prefix: [], to: ["generate", "registryMirrors"] },
  { kind: "UnattendedInstallConfig", prefix: ["installer", "image"], to: ["generate", "installImage"] },
  { kind: "UnattendedInstallConfig", prefix: ["provisioning", "diskSelector"], to: ["generate", "installDisk"] },
  { kind: "KubeSpanConfig", prefix: [], to: ["generate", "kubeSpan"] },
  { kind: "DiscoveryServiceConfig", prefix: [], to: ["generate", "discovery"] },
];

const startsWith = (path: readonly PathSegment[], prefix: readonly PathSegment[]) => prefix.length <= path.length && prefix.every((s, i) => String(s) === String(path[i]));

// ---- patches: which one set a path ----

/** A JSON patch's operation: its target path and its index in the list. */
interface JsonOp {
  index: number;
  path: PathSegment[];
}

interface PatchLayer {
  /** Manifest path of the patch string. */
  at: PathSegment[];
  parsed: ParseResult;
  /** Strategic documents with their identity; empty for a JSON patch. */
  docs: { identity: Identity; value: unknown; doc: Document.Parsed }[];
  /** A JSON patch's operations; null for a strategic patch. */
  ops: JsonOp[] | null;
  origin: PatchOrigin;
}

const pointer = (p: string): PathSegment[] =>
  p
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));

function buildLayer(text: string, at: PathSegment[], doc: Document, lc: LineCounter): PatchLayer {
  const parsed = parseConfigYaml(text);
  const docs: PatchLayer["docs"] = [];
  let ops: JsonOp[] | null = null;
  const only = parsed.documents.length === 1 ? parsed.documents[0]!.value : undefined;
  if (Array.isArray(only)) {
    ops = [];
    only.forEach((op, index) => {
      if (isObj(op) && typeof op.path === "string") ops!.push({ index, path: pointer(op.path) });
    });
  } else {
    for (const d of parsed.documents) {
      const identity = identityOf(d.value);
      if (identity && !(isObj(d.value) && d.value.$patch === "delete")) docs.push({ identity, value: d.value, doc: d.doc });
    }
  }
  return { at, parsed, docs, ops, origin: patchOrigin(doc, lc, at) };
}

/**
 * How much of `path` a patch value sets: "full" when the patch holds the path, or a list or
 * scalar above it (replacing or extending the subtree); otherwise the depth of the deepest
 * existing prefix.
 */
function coverage(value: unknown, path: readonly PathSegment[]): { full: boolean; depth: number } {
  let cur = value;
  for (let i = 0; i < path.length; i++) {
    if (Array.isArray(cur)) {
      const j = typeof path[i] === "number" ? (path[i] as number) : Number(path[i]);
      // A list the patch writes: merging appends to it, so its items are the patch's doing.
      if (!(j < cur.length)) return { full: true, depth: i };
      cur = cur[j];
    } else if (isObj(cur)) {
      const key = String(path[i]);
      if (!Object.hasOwn(cur, key)) return { full: false, depth: i };
      cur = cur[key];
    } else {
      return { full: i > 0, depth: i };
    }
  }
  return { full: true, depth: path.length };
}

interface Hit {
  pos: SourcePosition;
  at: PathSegment[];
  full: boolean;
  depth: number;
}

/** Where in the patch `layer` the config `path` of the document `id` is set, if it is. */
function findInLayer(layer: PatchLayer, id: Identity, path: readonly PathSegment[]): Hit | null {
  if (layer.ops) {
    if (id.kind !== V1ALPHA1) return null;
    let best: Hit | null = null;
    for (const op of layer.ops) {
      const full = startsWith(path, op.path);
      const depth = full ? op.path.length : op.path.findIndex((s, i) => String(s) !== String(path[i]));
      if (!full && depth < 2) continue;
      const inner: PathSegment[] = full ? [op.index, "value", ...path.slice(op.path.length)] : [op.index, "path"];
      const doc = layer.parsed.documents[0]!.doc;
      const hit: Hit = { pos: layer.origin.map(positionForPath(doc, layer.parsed.lineCounter, inner)), at: layer.at, full, depth };
      // The last operation wins, as it applies last.
      if (!best || hit.full || (!best.full && hit.depth >= best.depth)) best = hit;
    }
    return best;
  }
  // A problem with the whole v1alpha1 document is generation's, not any patch's that touches it.
  if (id.kind === V1ALPHA1 && path.length === 0) return null;
  for (let i = layer.docs.length - 1; i >= 0; i--) {
    const d = layer.docs[i]!;
    if (!sameIdentity(d.identity, id)) continue;
    const { full, depth } = coverage(d.value, path);
    return { pos: layer.origin.map(positionForPath(d.doc, layer.parsed.lineCounter, path)), at: layer.at, full, depth };
  }
  return null;
}

// ---- the check ----

interface Located {
  pos: SourcePosition;
  at: PathSegment[];
}

/** The rendered config's documents, identified (parsed only when a node has issues). */
function renderedIdentities(config: string): (Identity | null)[] {
  const out: (Identity | null)[] = [];
  for (const d of parseConfigYaml(config).documents) out[d.index] = identityOf(d.value);
  return out;
}

const pathText = (path: readonly PathSegment[]) => path.map((p) => (typeof p === "number" ? `[${p}]` : p)).join(".").replace(/\.\[/g, "[");

/** `cp-1, cp-2: ` (at most three names, then a count). */
function nodesPrefix(hostnames: string[]): string {
  if (hostnames.length <= 3) return `${hostnames.join(", ")}: `;
  return `${hostnames.slice(0, 3).join(", ")} and ${hostnames.length - 3} more nodes: `;
}

class Collector {
  private readonly byKey = new Map<string, { issue: ManifestIssue; nodes: Set<string> }>();
  constructor(private readonly nodeOrder: Map<string, number>) {}

  add(pos: SourcePosition, severity: ManifestIssue["severity"], message: string, path: PathSegment[], hostname: string): void {
    const key = `${severity}|${pos.line}|${pos.column}|${pos.endLine}|${pos.endColumn}|${message}|${JSON.stringify(path)}`;
    let entry = this.byKey.get(key);
    if (!entry) {
      entry = { issue: issueAt(pos, message, path, severity, []), nodes: new Set() };
      this.byKey.set(key, entry);
    }
    entry.nodes.add(hostname);
  }

  /** The issues (in the order first met) with their nodes in manifest order, named in the message. */
  finish(): ManifestIssue[] {
    return [...this.byKey.values()].map(({ issue, nodes: set }) => {
      const nodes = [...set].sort((a, b) => this.nodeOrder.get(a)! - this.nodeOrder.get(b)!);
      return { ...issue, nodes, message: nodesPrefix(nodes) + issue.message };
    });
  }
}

/**
 * Renders and validates every node of a parsed manifest: the config problems, placed on the
 * manifest, messages scrubbed of the patches' secrets (parse problems are not repeated; see
 * {@link checkManifest}).
 */
export function checkRenders(parsed: ParsedManifest, secrets: SecretsBundle, opts: CheckOptions = {}): ManifestIssue[] {
  const manifest = parsed.manifest;
  const doc = parsed.doc;
  if (!manifest || !doc) return [];
  const lc = parsed.lineCounter;
  const talosVersion = contractFor(manifest.cluster.talosVersion);
  const renderer = new ManifestRenderer(manifest, secrets, parsed.selection);
  const nodeIndex = new Map(manifest.nodes.map((n, i) => [n, i]));
  const collector = new Collector(new Map(manifest.nodes.map((n, i) => [n.hostname, i])));
  // Parse problems already reported (a patch that does not load fails every node selecting it).
  const known = new Set(parsed.issues.map((i) => `${i.line}|${i.column}|${i.message}`));

  const layers = new Map<string, PatchLayer>();
  const layer = (text: string, at: PathSegment[]) => {
    const key = JSON.stringify(at);
    let l = layers.get(key);
    if (!l) {
      l = buildLayer(text, at, doc, lc);
      layers.set(key, l);
    }
    return l;
  };

  for (const node of manifest.nodes) {
    const i = nodeIndex.get(node)!;
    const entry: Located = { pos: positionForPath(doc, lc, ["nodes", i]), at: ["nodes", i] };
    let config: string;
    try {
      config = renderer.render(node);
    } catch (e) {
      if (!(e instanceof SourceError)) {
        // A bug of ours must not take the editor's checks down: say it on the node.
        collector.add(entry.pos, "error", `cannot render this node: ${(e as Error).message}`, entry.at, node.hostname);
        continue;
      }
      const at = renderErrorPlace(manifest, node, i, e, doc, lc) ?? entry;
      const message = sourceErrorMessage(e);
      if (!known.has(`${at.pos.line}|${at.pos.column}|${message}`)) collector.add(at.pos, "error", message, at.at, node.hostname);
      continue;
    }
    const result = validateConfig(config, { talosVersion, mode: opts.mode });
    if (result.issues.length === 0) continue;
    const identities = renderedIdentities(config);
    // Layers, last applied first: the node's own patch, then the selected shared patches backwards.
    const stack: PatchLayer[] = [];
    if (node.patch !== undefined && node.patch.trim() !== "") stack.push(layer(node.patch, ["nodes", i, "patch"]));
    for (const p of renderer.selectedPatches(node).reverse()) stack.push(layer(manifest.patches![p]!.patch, ["patches", p, "patch"]));
    for (const issue of result.issues) {
      const id = identities[issue.document] ?? { kind: V1ALPHA1 };
      const place = attribute(issue, id, stack, i, doc) ?? entry;
      const where = issue.path.length > 0 ? `${id.kind === V1ALPHA1 ? "" : `${id.kind}${id.name ? `(${id.name})` : ""}.`}${pathText(issue.path)}: ` : id.kind === V1ALPHA1 ? "" : `${id.kind}: `;
      collector.add(place.pos, issue.severity, where + issue.message, issue.path, node.hostname);
    }
  }
  return scrubIssues(collector.finish(), manifest);

  function attribute(issue: ConfigIssue, id: Identity, stack: PatchLayer[], i: number, d: Document): Located | null {
    const hits = stack.map((l) => findInLayer(l, id, issue.path));
    const full = hits.find((h) => h?.full);
    if (full) return full;
    for (const rule of INPUT_RULES) {
      if (rule.kind !== id.kind || !startsWith(issue.path, rule.prefix)) continue;
      const to = rule.to === "hostname" ? ["nodes", i, "hostname"] : rule.to;
      if (d.hasIn(to)) return { pos: positionForPath(d, lc, to), at: to };
    }
    // A patch that set the parent (a missing key in a map the patch wrote): deeper wins, then later.
    const minDepth = id.kind === V1ALPHA1 ? Math.min(2, issue.path.length) : 0;
    let best: Hit | null = null;
    for (const h of hits) if (h && h.depth >= minDepth && (!best || h.depth > best.depth)) best = h;
    return best;
  }
}

/** Where a render error belongs: the patch it names (its line inside), else null (the node's entry). */
function renderErrorPlace(m: Manifest, node: ManifestNode, i: number, e: SourceError, doc: Document, lc: LineCounter): Located | null {
  const source = e.place.source;
  if (source === nodePatchSource(node)) {
    const at = ["nodes", i, "patch"];
    return { pos: patchErrorPosition(patchOrigin(doc, lc, at), e), at };
  }
  const p = (m.patches ?? []).findIndex((x, j) => patchSource(j, x.name) === source);
  if (p >= 0) {
    const at = ["patches", p, "patch"];
    return { pos: patchErrorPosition(patchOrigin(doc, lc, at), e), at };
  }
  // Generation refused an input (generateDocuments names it by its GenerateInput path).
  if (source === undefined && e.place.path) {
    const [head, ...rest] = e.place.path.split(".");
    const input: Record<string, PathSegment[]> = { endpoint: ["cluster", "endpoint"], talosVersion: ["cluster", "talosVersion"], kubernetesVersion: ["cluster", "kubernetesVersion"] };
    const at = input[head!] ?? (head && Object.hasOwn(m.generate ?? {}, head) ? ["generate", head, ...(rest.length > 0 ? [rest.join(".")] : [])] : undefined);
    if (at) return { pos: positionForPath(doc, lc, doc.hasIn(at) ? at : at.slice(0, 2)), at };
  }
  return null;
}

/**
 * Every problem of a manifest and of every node's rendered config, on manifest lines, errors
 * first. `secrets`: the cluster's secrets bundle (the render needs it; nothing of it is reported:
 * the validator scrubs the config's secrets, and every secret of the patch strings is scrubbed
 * here, so the issues may go to someone who sent a redacted manifest). Server and CLI only:
 * rendering pulls in generation (node:crypto); parse.ts and redact.ts also run in the browser.
 */
export function checkManifest(text: string, secrets: SecretsBundle, opts: CheckOptions = {}): ManifestIssue[] {
  const parsed = parseManifest(text);
  // parseManifest's and checkRenders' messages are already scrubbed of the patches' secrets.
  if (!parsed.manifest || parsed.issues.some((i) => i.severity === "error" && i.path[0] !== "patches" && i.path[0] !== "nodes")) return parsed.issues;
  return sortIssues([...parsed.issues, ...checkRenders(parsed, secrets, opts)]);
}
