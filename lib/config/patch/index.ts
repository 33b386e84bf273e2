/**
 * Talos's config patcher (pkg/machinery/config/configpatcher at v1.14.0-rc.1), isomorphic and
 * pure: strategic-merge patches (with `$patch: delete`) and RFC 6902 JSON patches, loaded with
 * LoadPatch's rules and applied with Apply's; output through Talos's encoder (./encode.ts).
 * Every error is a SourceError naming the patch (or config), its line and the config path.
 */
import { isMap, isScalar, isSeq, type Document, type LineCounter, type YAMLMap } from "yaml";

import { MAX_ALIAS_COUNT, MAX_CONFIG_BYTES, parseConfigYaml } from "@/lib/config/parse";
import { SourceError } from "@/lib/talos/errors";

import { decodeCheck, type DecodeProblem } from "./decode";
import { DeleteScope, deleteForPath, DeleteSyntaxError, extractDeletes, type DeleteSelector } from "./delete";
import { emitDocument, OutputTooLarge, sortGoKeys, type Out } from "@/lib/talos/goyaml";
import { encodeConfig, kindOf } from "./encode";
import { applyJsonPatch, parseJsonPatch, type JsonPatchOp } from "./json6902";
import { clone, isObj, MergeError, mergeDocument } from "./merge";
import { documentType } from "./types";

export { encodeConfig } from "./encode";

type Obj = Record<string, unknown>;

/** One document of a strategic patch: a body to merge, or a delete selector. */
type PatchDoc =
  | { readonly type: "merge"; readonly id: string; readonly kind: string; readonly body: Obj; readonly doc: Document.Parsed }
  | { readonly type: "delete"; readonly id: string; readonly kind: string; readonly sel: DeleteSelector };

interface Parsed {
  readonly kind: "strategic" | "json";
  readonly docs?: readonly PatchDoc[];
  readonly ops?: readonly JsonPatchOp[];
  readonly lc: LineCounter;
}

/** A loaded patch. Its parsed form is private to this module. */
export interface ConfigPatch {
  readonly source: string;
  /** "strategic" (strategic merge) or "json" (RFC 6902). */
  readonly kind: "strategic" | "json";
}

const parsedPatches = new WeakMap<ConfigPatch, Parsed>();

interface ConfigDoc {
  id: string;
  kind: string;
  body: Obj;
}

/** A JSON value as yaml.v2 writes a decoded map: every map's keys sorted. */
function sortedOut(v: unknown): Out {
  if (Array.isArray(v)) return v.map(sortedOut);
  if (isObj(v)) return { entries: sortGoKeys(Object.keys(v)).map((k) => [k, sortedOut(v[k])] as const) };
  return (v ?? null) as Out;
}

/** Talos's document identity: apiVersion/kind, plus /name for named documents. */
function isNamedKind(kind: string): boolean {
  const t = kind === "v1alpha1" ? null : documentType(kind);
  return t?.k === "struct" && t.byName.has("name");
}

function documentId(body: Obj, kind: string): string {
  const apiVersion = kind === "v1alpha1" ? "" : String(body.apiVersion ?? "");
  return `${apiVersion}/${kind}${isNamedKind(kind) ? `/${String(body.name ?? "")}` : ""}`;
}

function selectorId(sel: DeleteSelector): string {
  return `${sel.apiVersion}/${sel.kind}${isNamedKind(sel.kind) ? `/${sel.name}` : ""}`;
}

function placeOf(lc: LineCounter, offset: number) {
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

/**
 * The position of `path` inside a parsed document: the key of its last map entry, the item of
 * its last list index, or the nearest node above when the path goes further than the text.
 */
function nodePlace(doc: Document.Parsed | undefined, lc: LineCounter, path: readonly (string | number)[], atValue = false) {
  if (!doc) return {};
  let node: unknown = doc.contents;
  let at: unknown = node;
  for (const step of path) {
    if (isMap(node) && typeof step === "string") {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === step);
      if (!pair) break;
      node = pair.value;
      at = atValue && node ? node : pair.key;
    } else if (isSeq(node) && typeof step === "number" && node.items[step]) {
      node = node.items[step];
      at = node;
    } else break;
  }
  const range = (at as { range?: [number, number, number] } | null)?.range;
  return range ? placeOf(lc, range[0]) : {};
}

const pathText = (path: readonly (string | number)[]) => path.map((p) => (typeof p === "number" ? `[${p}]` : p)).join(".").replace(/\.\[/g, "[");

function sizeCheck(text: string, source: string): void {
  // UTF-16 length ≤ UTF-8 length ≤ 3 × UTF-16 length: only count bytes when it matters.
  if (text.length > MAX_CONFIG_BYTES || (text.length * 3 > MAX_CONFIG_BYTES && new TextEncoder().encode(text).length > MAX_CONFIG_BYTES)) {
    throw new SourceError(`larger than ${MAX_CONFIG_BYTES / (1024 * 1024)} MiB (${MAX_CONFIG_BYTES} bytes): refusing to parse it`, { source, line: 1, column: 1 });
  }
}

/** Parses YAML the way the validator does (size cap, alias cap, duplicate keys); throws the first error. */
function parseYaml(text: string, source: string) {
  sizeCheck(text, source);
  const parsed = parseConfigYaml(text);
  const err = parsed.issues.find((i) => i.severity === "error");
  if (err) throw new SourceError(err.message, { source, line: err.line, column: err.column });
  return parsed;
}

/** The plain source text of the scalar at `path` in a parsed document. */
function textAtIn(doc: Document.Parsed): (path: readonly (string | number)[]) => string | undefined {
  // Each map indexed once: lookups stay constant-time on maps with many keys.
  const indexes = new WeakMap<object, Map<string, unknown>>();
  const entry = (m: YAMLMap, key: string) => {
    let index = indexes.get(m);
    if (!index) {
      index = new Map();
      for (const p of m.items) if (isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p.value);
      indexes.set(m, index);
    }
    return index.get(key);
  };
  return (path) => {
    let node: unknown = doc.contents;
    for (const step of path) {
      if (isMap(node)) node = entry(node, String(step));
      else if (isSeq(node) && typeof step === "number") node = node.items[step];
      else return undefined;
    }
    // Plain scalars only: a quoted one is a string whatever it reads like.
    return isScalar(node) && node.type === "PLAIN" && typeof node.source === "string" ? node.source : undefined;
  };
}

/** What Go's decoder reads a document as: its kind, or an error text. */
function identify(body: unknown): { kind: string } | { error: string } {
  if (!isObj(body)) return { error: "expected a YAML document" };
  const kind = kindOf(body);
  const hasVersionKey = ["machine", "cluster", "debug", "persist"].some((k) => Object.hasOwn(body, k));
  if (kind === "v1alpha1" || (hasVersionKey && !body.kind)) return { kind: "v1alpha1" };
  if (!kind) return { error: "missing kind" };
  if (!body.apiVersion) return { error: "missing apiVersion" };
  if (!documentType(kind) || body.apiVersion !== "v1alpha1") return { error: `"${kind}" "${String(body.apiVersion)}": not registered` };
  return { kind };
}

function decodeProblemsError(problems: DecodeProblem[], source: string, doc: Document.Parsed | undefined, lc: LineCounter | undefined): SourceError {
  const p = problems[0]!;
  return new SourceError(p.message, { source, ...(lc ? nodePlace(doc, lc, p.path, p.atValue) : {}), path: pathText(p.path) });
}

function loadStrategic(text: string, source: string): Parsed {
  const parsed = parseYaml(text, source);
  const docs: PatchDoc[] = [];
  for (const pd of parsed.documents) {
    const { doc } = pd;
    let extracted;
    try {
      extracted = extractDeletes(doc.contents);
    } catch (e) {
      if (!(e instanceof DeleteSyntaxError)) throw e;
      throw new SourceError(`error processing patch delete statements: ${e.message}`, { source, ...placeOf(parsed.lineCounter, e.offset) });
    }
    for (const sel of extracted.selectors) docs.push({ type: "delete", id: selectorId(sel), kind: sel.kind, sel });
    if (extracted.dropDocument) continue;
    const body = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
    if (body === null || body === undefined) continue;
    const where = nodePlace(doc, parsed.lineCounter, []);
    const id = identify(body);
    if ("error" in id) throw new SourceError(id.error, { source, ...where });
    const t = documentType(id.kind)!;
    const problems: DecodeProblem[] = [];
    decodeCheck(body, t, [], problems, textAtIn(doc));
    if (problems.length > 0) throw decodeProblemsError(problems, source, doc, parsed.lineCounter);
    docs.push({ type: "merge", id: documentId(body as Obj, id.kind), kind: id.kind, body: body as Obj, doc });
  }
  if (docs.length === 0) throw new SourceError("config not found", { source, line: 1, column: 1 });
  // The unvalidated container's Documents(): v1alpha1 deletes first, then everything as written.
  const isV1Delete = (d: PatchDoc) => d.type === "delete" && d.kind === "v1alpha1";
  return { kind: "strategic", docs: [...docs.filter(isV1Delete), ...docs.filter((d) => !isV1Delete(d))], lc: parsed.lineCounter };
}

/**
 * LoadPatch: a strategic-merge patch (one or more documents, `$patch: delete` allowed) when the
 * text reads as config documents; otherwise a JSON patch (a JSON or YAML list of operations);
 * otherwise the strategic-merge error (or the JSON error when the text starts with `[`).
 */
export function loadPatch(text: string, source: string): ConfigPatch {
  sizeCheck(text, source);
  let strategicErr: unknown;
  try {
    const p = loadStrategic(text, source);
    const patch: ConfigPatch = { source, kind: "strategic" };
    parsedPatches.set(patch, p);
    return patch;
  } catch (e) {
    strategicErr = e;
  }
  const json = parseJsonPatch(text, source);
  if ("ops" in json) {
    const patch: ConfigPatch = { source, kind: "json" };
    parsedPatches.set(patch, { kind: "json", ops: json.ops, lc: json.lc });
    return patch;
  }
  if (text.trimStart().startsWith("[")) throw json.error;
  throw strategicErr;
}

function parsedOf(p: ConfigPatch): Parsed {
  const parsed = parsedPatches.get(p);
  if (!parsed) throw new SourceError("not a loaded patch (use loadPatch)", { source: p.source });
  return parsed;
}

const LINK_KINDS = ["BondConfig", "BridgeConfig", "DummyLinkConfig", "LinkConfig", "VethConfig", "VLANConfig", "VRFConfig", "WireguardConfig"];
/** ConflictsWithKinds of the document types (a kind and name may exist once across these). */
const CONFLICTS: Readonly<Record<string, readonly string[]>> = {
  ExistingVolumeConfig: ["UserVolumeConfig"],
  UserVolumeConfig: ["ExistingVolumeConfig"],
  HCloudVIPConfig: ["Layer2VIPConfig"],
  Layer2VIPConfig: ["HCloudVIPConfig"],
  ...Object.fromEntries(LINK_KINDS.map((k) => [k, LINK_KINDS.filter((o) => o !== k)])),
};

/**
 * container.New's checks, which Talos runs on the config it reads and on every merge result:
 * one document per identity, no conflicting kinds under one name, no link configured twice.
 * Returns the error and the index of the document it is about, or null.
 */
function containerProblem(docs: readonly ConfigDoc[]): { message: string; at: number } | null {
  const seen = new Set<string>();
  const conflicting = new Map<string, string>();
  const claimed = new Map<string, string>();
  let v1 = false;
  for (const [at, d] of docs.entries()) {
    const fail = (message: string) => ({ message, at });
    if (d.kind === "v1alpha1") {
      if (v1) return fail("duplicate v1alpha1.Config");
      v1 = true;
      continue;
    }
    const named = isNamedKind(d.kind);
    const name = named ? String(d.body.name ?? "") : "";
    const id = `${d.kind}/${name}`;
    if (seen.has(id)) return fail(`duplicate document: ${id}`);
    seen.add(id);
    const other = conflicting.get(id);
    if (other !== undefined) return fail(`conflicting documents: ${other} and ${id}`);
    for (const kind of CONFLICTS[d.kind] ?? []) {
      const cid = `${kind}/${name}`;
      if (seen.has(cid)) return fail(`conflicting documents: ${cid} and ${id}`);
      conflicting.set(cid, id);
    }
    if (LINK_KINDS.includes(d.kind)) {
      const peer = d.kind === "VethConfig" && isObj(d.body.peer) ? [String(d.body.peer.name ?? "")] : d.kind === "VethConfig" ? [""] : [];
      for (const link of [name, ...peer]) {
        const owner = claimed.get(link);
        if (owner !== undefined) return fail(`conflicting link configurations: ${owner} and ${id} both configure ${JSON.stringify(link)}`);
        claimed.set(link, id);
      }
    }
  }
  return null;
}

/** Reads the config the way Apply(WithBytes) does (strict decode, one document per identity). */
function loadConfig(text: string, source: string): ConfigDoc[] {
  const parsed = parseYaml(text, source);
  const out: ConfigDoc[] = [];
  const places: { line?: number; column?: number }[] = [];
  for (const pd of parsed.documents) {
    const body = pd.value;
    if (body === null || body === undefined) continue;
    const where = nodePlace(pd.doc, parsed.lineCounter, []);
    const id = identify(body);
    if ("error" in id) throw new SourceError(id.error, { source, ...where });
    const problems: DecodeProblem[] = [];
    decodeCheck(body, documentType(id.kind)!, [], problems, textAtIn(pd.doc));
    if (problems.length > 0) throw decodeProblemsError(problems, source, pd.doc, parsed.lineCounter);
    out.push({ id: documentId(body as Obj, id.kind), kind: id.kind, body: body as Obj });
    places.push(where);
  }
  const problem = containerProblem(out);
  if (problem) throw new SourceError(problem.message, { source, ...places[problem.at] });
  return out;
}

/** StrategicMerge: documents with the same identity merge, deletes apply, new documents append. */
function strategicMerge(left: ConfigDoc[], patch: ConfigPatch, parsed: Parsed): ConfigDoc[] {
  const index = new Map<string, ConfigDoc>(left.map((d) => [d.id, d]));
  const out = [...left];
  const removed = new Set<ConfigDoc>();
  const scope = new DeleteScope();
  try {
    strategicSteps(parsed, patch, index, out, removed, scope);
  } finally {
    scope.finish();
  }
  const result = removed.size === 0 ? out : out.filter((d) => !removed.has(d));
  // container.New on the merge result: the v1alpha1 document first, then the others in order.
  const problem = containerProblem([...result.filter((d) => d.kind === "v1alpha1"), ...result.filter((d) => d.kind !== "v1alpha1")]);
  if (problem) throw new SourceError(problem.message, { source: patch.source });
  return result;
}

function strategicSteps(parsed: Parsed, patch: ConfigPatch, index: Map<string, ConfigDoc>, out: ConfigDoc[], removed: Set<ConfigDoc>, scope: DeleteScope): void {
  for (const right of parsed.docs!) {
    const leftDoc = index.get(right.id);
    if (right.type === "delete") {
      if (!leftDoc) continue; // deleting what is not there is silently skipped
      const { sel } = right;
      const where = { source: patch.source, ...placeOf(parsed.lc, sel.offset), path: sel.path.join(".") };
      const named = isNamedKind(sel.kind);
      if (sel.path.length === 0) {
        if (leftDoc.kind === "v1alpha1") throw new SourceError(`patch delete: path '' in document '/v1alpha1': can't delete the root of the legacy document`, where);
        index.delete(right.id);
        removed.add(leftDoc);
        continue;
      }
      const err = deleteForPath(leftDoc.body, documentType(leftDoc.kind)!, sel.path, sel.key, sel.value, scope);
      if (err) {
        const inner = `failed to delete path '${sel.path.join(".")}': ${err}`;
        const docName = `${sel.apiVersion}/${sel.kind}`;
        throw new SourceError(named ? `named patch delete: document ${docName}: ${inner}` : `patch delete: path '${sel.path.join(".")}' in document '${docName}': ${inner}`, where);
      }
      continue;
    }
    if (!leftDoc) {
      const added = { id: right.id, kind: right.kind, body: clone(right.body) };
      out.push(added);
      index.set(right.id, added);
      continue;
    }
    // A merge reads and appends to lists: deleted items go first.
    scope.finish();
    try {
      mergeDocument(leftDoc.body, clone(right.body), documentType(leftDoc.kind)!);
    } catch (e) {
      if (!(e instanceof MergeError)) throw e;
      throw new SourceError(e.message, { source: patch.source, ...nodePlace(right.doc, parsed.lc, e.path), path: pathText(e.path) });
    }
  }
}

export interface ApplyOptions {
  /** The config's name in errors (default "config"). */
  configSource?: string;
  /**
   * What to return. "config" (default): the patched config through Talos's encoder, as
   * `talosctl gen config --config-patch` writes it (Apply, then Config(), then EncodeBytes).
   * "bytes": what `talosctl machineconfig patch` prints (Apply, then Bytes()): the input
   * unchanged when there are no patches, and ghodss/yaml's text (yaml.v2: keys sorted, indent 2)
   * when the last patch is a JSON patch.
   */
  output?: "config" | "bytes";
}

/** The v1alpha1 body as Talos's encoder writes it, read back (what a JSON patch sees after a merge). */
function asEncoded(body: Obj): Obj {
  const reread = parseYaml(encodeConfig([body]), "encoded config").documents[0]?.value;
  return isObj(reread) ? reread : {};
}

/**
 * Apply: each patch in turn, strategic merges on the documents, JSON patches on the single
 * v1alpha1 document (Talos refuses them on multi-document configs).
 */
export function applyPatches(config: string, patches: ConfigPatch[], opts: ApplyOptions = {}): string {
  const configSource = opts.configSource ?? "config";
  if (opts.output === "bytes" && patches.length === 0) return config;
  const tooLarge = () => new SourceError(`the patched config is larger than ${MAX_CONFIG_BYTES / (1024 * 1024)} MiB (${MAX_CONFIG_BYTES} bytes): refusing to write it`, { source: patches.at(-1)?.source ?? configSource });
  let out: string;
  try {
    out = applyAll(config, patches, opts, configSource);
  } catch (e) {
    if (e instanceof OutputTooLarge) throw tooLarge();
    throw e;
  }
  // The emitter counted UTF-16 units; the cap is on bytes.
  if (out.length * 3 > MAX_CONFIG_BYTES && new TextEncoder().encode(out).length > MAX_CONFIG_BYTES) throw tooLarge();
  return out;
}

function applyAll(config: string, patches: ConfigPatch[], opts: ApplyOptions, configSource: string): string {
  let docs = loadConfig(config, configSource);
  // Whether the state is Talos's decoded config (after a merge) rather than the text last read.
  let decoded = false;
  let lastJson: unknown;
  // Talos's LoadPatches joins consecutive JSON patches into one: the result is re-read strictly
  // only when a strategic patch follows, or at the end.
  const reread = (source: string) => {
    const id = identify(lastJson);
    if ("error" in id) throw new SourceError(id.error, { source });
    const body = clone(lastJson) as Obj;
    const problems: DecodeProblem[] = [];
    decodeCheck(body, documentType(id.kind)!, [], problems);
    if (problems.length > 0) throw decodeProblemsError(problems, source, undefined, undefined);
    docs = [{ id: documentId(body, id.kind), kind: id.kind, body }];
  };
  let jsonSource: string | undefined;
  for (const patch of patches) {
    const parsed = parsedOf(patch);
    if (parsed.kind === "strategic") {
      if (jsonSource !== undefined) reread(jsonSource);
      jsonSource = undefined;
      docs = strategicMerge(docs, patch, parsed);
      decoded = true;
      lastJson = undefined;
      continue;
    }
    if (jsonSource === undefined) {
      if (docs.length !== 1) throw new SourceError("JSON6902 patches are not supported for multi-document machine configuration", { source: patch.source, line: 1, column: 1 });
      lastJson = decoded ? asEncoded(docs[0]!.body) : docs[0]!.body;
    }
    lastJson = applyJsonPatch(lastJson, parsed.ops!, patch.source, parsed.lc);
    jsonSource = patch.source;
    decoded = false;
  }
  if (jsonSource !== undefined) reread(jsonSource);
  if (opts.output === "bytes" && lastJson !== undefined) return emitDocument(sortedOut(lastJson), "v2", MAX_CONFIG_BYTES);
  return encodeConfig(docs.map((d) => d.body));
}
