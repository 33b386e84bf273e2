/**
 * Cluster manifest text → the manifest, its YAML document (with positions) and every problem
 * placed on a manifest line: YAML syntax, the zod schema, and what the schema cannot see (a node
 * listed twice, duplicate patch names, selectors naming labels or nodes the manifest does not
 * have, a patch that does not load, located on its own line inside the patch string).
 * Isomorphic and pure: the editor, the API and the CLI share it. Never throws.
 */
import { isAlias, isScalar, LineCounter, parseAllDocuments, visit, type Document, type Node as YamlNode } from "yaml";
import type { z } from "zod";

import { MAX_ALIAS_COUNT, MAX_CONFIG_BYTES, parseConfigYaml, rangeToPosition } from "@/lib/config/parse";
import { loadPatch } from "@/lib/config/patch";
import { positionForPath, type PathSegment, type SourcePosition } from "@/lib/config/positions";
import type { ManifestIssue } from "@/lib/schemas/manifests";
import { TALOS_MINORS } from "@/lib/talos/constants";
import { SourceError } from "@/lib/talos/errors";
import { parseTalosVersion } from "@/lib/talos/version";

import { manifestSchema, type Manifest } from "./schema";
import { scrubIssues } from "./secrets";
import { hostnameMatches, patchingBudgetMessage, patchingBytes, selectionTable, type GlobHits, type SelectionTable } from "./select";

export { MAX_ALIAS_COUNT, MAX_CONFIG_BYTES };

export interface ParsedManifest {
  /** The manifest when it passed the schema (semantic problems may still be in `issues`). */
  manifest?: Manifest;
  /** The YAML document; undefined when the text was refused before parsing (too large, empty). */
  doc?: Document.Parsed;
  lineCounter: LineCounter;
  issues: ManifestIssue[];
  /** Each node's selected patches (by node index), computed once: render and check reuse it. */
  selection?: SelectionTable;
}

type Severity = ManifestIssue["severity"];

const FIRST_LINE: SourcePosition = { line: 1, column: 1, endLine: 1, endColumn: 1 };

export function issueAt(pos: SourcePosition, message: string, path: PathSegment[] = [], severity: Severity = "error", nodes: string[] = []): ManifestIssue {
  return { severity, message, path, nodes, ...pos };
}

/** Errors first, then by place: the order every consumer shows. */
export function sortIssues(issues: ManifestIssue[]): ManifestIssue[] {
  const rank = (s: Severity) => (s === "error" ? 0 : 1);
  return issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => rank(a.issue.severity) - rank(b.issue.severity) || a.issue.line - b.issue.line || a.issue.column - b.issue.column || a.i - b.i)
    .map((x) => x.issue);
}

// ---- positions inside patch strings ----

/** How positions inside a patch string map to the manifest. */
export interface PatchOrigin {
  /** The `patch` key and its value's first line: where a patch-wide problem is marked. */
  readonly whole: SourcePosition;
  /** Whether inner lines map exactly (a literal block scalar) or fall back to {@link whole}. */
  readonly exact: boolean;
  /** The manifest position of a 1-based line/column inside the patch text. */
  at(line?: number, column?: number): SourcePosition;
  /** A range inside the patch text, mapped to the manifest. */
  map(pos: SourcePosition): SourcePosition;
}

function lineEndColumn(lc: LineCounter, line: number, fallback: number): number {
  const start = lc.lineStarts[line - 1];
  const next = lc.lineStarts[line];
  return start === undefined || next === undefined ? fallback : Math.max(1, next - start);
}

/**
 * The map from a patch string's own lines to the manifest's, for the scalar at `path` (e.g.
 * ["patches", 2, "patch"]). A literal block scalar (`patch: |`) holds its text verbatim, one
 * line per manifest line after the header, shifted by the block's indentation: patch line k is
 * manifest line (first content line + k − 1), column + indentation. Any other scalar (plain,
 * quoted, folded) does not keep lines: everything maps to the `patch` key's line.
 */
export function patchOrigin(doc: Document, lc: LineCounter, path: readonly PathSegment[]): PatchOrigin {
  const wholePos = positionForPath(doc, lc, path, "key");
  const node = doc.getIn(path, true) as YamlNode | undefined;
  const fallback: PatchOrigin = { whole: wholePos, exact: false, at: () => wholePos, map: () => wholePos };
  if (!isScalar(node) || node.type !== "BLOCK_LITERAL" || !node.range || typeof node.value !== "string") return fallback;
  const header = lc.linePos(node.range[0]).line;
  const firstContent = header + 1;
  const valueLines = node.value.split("\n");
  const k = valueLines.findIndex((l) => l.trim() !== "");
  if (k < 0) return fallback;
  const srcLineNo = firstContent + k;
  const start = lc.lineStarts[srcLineNo - 1];
  const next = lc.lineStarts[srcLineNo];
  if (start === undefined) return fallback;
  // Indentation = the source line's leading spaces minus the value line's own.
  const lead = (s: string) => /^ */.exec(s)![0].length;
  const sourceLine = sourceText.get(doc)?.slice(start, next === undefined ? undefined : next - 1);
  if (sourceLine === undefined) return fallback;
  const indent = lead(sourceLine) - lead(valueLines[k]!);
  if (indent < 0) return fallback;
  // A trailing newline (or `|+`'s kept ones) ends the text, not a line of it.
  let last = valueLines.length - 1;
  while (last > k && valueLines[last]!.trim() === "") last--;
  const lastLine = firstContent + last;
  const at = (line = 1, column = 1): SourcePosition => {
    const l = Math.min(Math.max(firstContent + line - 1, firstContent), lastLine);
    const c = column + indent;
    return { line: l, column: c, endLine: l, endColumn: Math.max(c + 1, lineEndColumn(lc, l, c + 1)) };
  };
  const map = (pos: SourcePosition): SourcePosition => {
    const a = at(pos.line, pos.column);
    const b = at(pos.endLine, pos.endColumn);
    return b.line > a.line || (b.line === a.line && b.column > a.column) ? { ...a, endLine: b.line, endColumn: b.column } : a;
  };
  return { whole: wholePos, exact: true, at, map };
}

/** The source text each parsed manifest document was read from (positions need its lines). */
const sourceText = new WeakMap<Document, string>();

/** Records `text` as the source of `doc` (for documents parsed outside {@link parseManifest}). */
export function rememberSource(doc: Document, text: string): void {
  sourceText.set(doc, text);
}

/** The manifest position of a SourceError thrown by a patch (its line inside the patch string). */
export function patchErrorPosition(origin: PatchOrigin, e: SourceError): SourcePosition {
  return e.place.line === undefined ? origin.whole : origin.at(e.place.line, e.place.column);
}

/** The SourceError's message with its config path, as `talosctl` prints it. */
export function sourceErrorMessage(e: SourceError): string {
  return `${e.message}${e.place.path ? ` (at ${e.place.path})` : ""}`;
}

// ---- the schema's issues ----

type ZodIssue = z.core.$ZodIssue;

const toPath = (p: readonly PropertyKey[]): PathSegment[] => p.map((s) => (typeof s === "number" ? s : String(s)));

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let cur = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

function schemaIssues(issues: readonly ZodIssue[], value: unknown, doc: Document, lc: LineCounter): ManifestIssue[] {
  const out: ManifestIssue[] = [];
  for (const issue of issues) {
    const path = toPath(issue.path);
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push(issueAt(positionForPath(doc, lc, [...path, key], "key"), `unknown key \`${key}\``, [...path, key]));
      continue;
    }
    let message = issue.message;
    const parent = valueAt(value, path.slice(0, -1));
    if (issue.code === "invalid_type" && path.length > 0 && valueAt(value, path) === undefined && parent !== null && typeof parent === "object" && !Array.isArray(parent)) {
      message = `missing required key \`${String(path[path.length - 1])}\``;
    }
    out.push(issueAt(positionForPath(doc, lc, path), message, path));
  }
  return out;
}

// ---- semantic checks ----

function semanticIssues(m: Manifest, doc: Document, lc: LineCounter, hits: GlobHits): ManifestIssue[] {
  const out: ManifestIssue[] = [];
  const pos = (path: PathSegment[], at: "key" | "value" = "value") => positionForPath(doc, lc, path, at);
  const lineOf = (path: PathSegment[]) => pos(path).line;

  // The contract: gen config exists for the minors Minos knows; others are rendered with the nearest.
  const version = parseTalosVersion(m.cluster.talosVersion) ?? parseTalosVersion(`${m.cluster.talosVersion}.0`);
  const known = TALOS_MINORS.map((v) => Number(v.split(".")[1]));
  const minor = version?.major === 1 ? version.minor : null;
  if (minor !== null && (minor < known[0]! || minor > known[known.length - 1]!)) {
    // render.ts's contractFor: the nearest contract.
    const used = minor < known[0]! ? TALOS_MINORS[0] : TALOS_MINORS[TALOS_MINORS.length - 1];
    out.push(issueAt(pos(["cluster", "talosVersion"]), `Minos generates configs for the contracts ${TALOS_MINORS[0]}–${TALOS_MINORS[TALOS_MINORS.length - 1]}: this manifest renders with ${used}`, ["cluster", "talosVersion"], "warning"));
  }

  // Nodes: one entry per address and per hostname.
  const byAddress = new Map<string, number>();
  const byHostname = new Map<string, number>();
  m.nodes.forEach((n, i) => {
    const a = byAddress.get(n.address);
    if (a !== undefined) out.push(issueAt(pos(["nodes", i, "address"]), `node ${n.address} is listed twice (first as ${m.nodes[a]!.hostname} on line ${lineOf(["nodes", a, "address"])})`, ["nodes", i, "address"]));
    else byAddress.set(n.address, i);
    const h = byHostname.get(n.hostname);
    if (h !== undefined) out.push(issueAt(pos(["nodes", i, "hostname"]), `hostname ${n.hostname} is listed twice (first for ${m.nodes[h]!.address} on line ${lineOf(["nodes", h, "hostname"])})`, ["nodes", i, "hostname"]));
    else byHostname.set(n.hostname, i);
  });
  // A hostname that is another node's address: `nodes:` selectors and node references (findNode) would name both.
  m.nodes.forEach((n, i) => {
    const other = byAddress.get(n.hostname);
    if (other !== undefined && other !== i) {
      out.push(issueAt(pos(["nodes", i, "hostname"]), `hostname ${n.hostname} is the address of node ${m.nodes[other]!.hostname} (line ${lineOf(["nodes", other, "address"])}): selectors and node references would be ambiguous`, ["nodes", i, "hostname"]));
    }
  });

  // Labels the nodes declare, as key → values.
  const declared = new Map<string, Set<string>>();
  for (const n of m.nodes) for (const [k, v] of Object.entries(n.labels ?? {})) (declared.get(k) ?? declared.set(k, new Set()).get(k)!).add(v);

  const patchNames = new Map<string, number>();
  (m.patches ?? []).forEach((p, i) => {
    const first = patchNames.get(p.name);
    if (first !== undefined) out.push(issueAt(pos(["patches", i, "name"]), `patch name "${p.name}" is used twice (first on line ${lineOf(["patches", first, "name"])})`, ["patches", i, "name"]));
    else patchNames.set(p.name, i);

    const sel = p.selector;
    const base: PathSegment[] = ["patches", i, "selector"];
    for (const [k, v] of Object.entries(sel?.labels ?? {})) {
      const values = declared.get(k);
      if (!values?.has(v)) {
        const why = values ? `no node declares it (${k} is ${[...values].sort().join(", ")})` : "no node declares it";
        out.push(issueAt(pos([...base, "labels", k], "key"), `unknown selector label ${k}=${v}: ${why}`, [...base, "labels", k]));
      }
    }
    (sel?.nodes ?? []).forEach((ref, j) => {
      if (!byHostname.has(ref) && !byAddress.has(ref)) out.push(issueAt(pos([...base, "nodes", j]), `selector names ${ref}, which is not a node of this manifest (give a hostname or an address)`, [...base, "nodes", j]));
    });
    if (sel?.hostname !== undefined && !m.nodes.some((n, index) => hostnameMatches(sel.hostname!, n, { hits, index }))) {
      out.push(issueAt(pos([...base, "hostname"]), `hostname glob "${sel.hostname}" matches no node`, [...base, "hostname"], "warning"));
    }
  });
  return out;
}

// ---- anchors and aliases ----

export const ALIASES_MESSAGE = "anchors and aliases are not allowed in a cluster manifest";
/** Issues about anchors and aliases, at most this many per manifest (the first ones). */
const MAX_ALIAS_ISSUES = 20;

/**
 * The 0-based offsets of the anchors and aliases of a YAML text's documents. A declarative
 * manifest needs none, and refusing them closes alias amplification (one large patch aliased as
 * every node's) and values read back through an alias at a path redaction does not cover.
 */
export function aliasOffsets(docs: readonly Document[], max = MAX_ALIAS_ISSUES): number[] {
  const out: number[] = [];
  for (const doc of docs) {
    visit(doc, {
      Node(_, node) {
        if (out.length >= max) return visit.BREAK;
        if ((isAlias(node) || node.anchor) && node.range) out.push(node.range[0]);
        // An alias is not walked into: it has no children of its own.
      },
    });
    if (out.length >= max) break;
  }
  return out;
}

/** Whether a YAML text holds an anchor or an alias (a cheap test first: neither `&` nor `*`, none). */
export function hasAliases(text: string): boolean {
  if (!text.includes("&") && !text.includes("*")) return false;
  return aliasOffsets(parseAllDocuments(text, { uniqueKeys: false }) as Document[], 1).length > 0;
}

/** The anchors and aliases of the manifest's patch strings, each on its line; the patches holding one. */
function patchAliasIssues(m: Manifest, doc: Document, lc: LineCounter): { issues: ManifestIssue[]; paths: Set<string> } {
  const issues: ManifestIssue[] = [];
  const paths = new Set<string>();
  const check = (text: string, path: PathSegment[]) => {
    if (issues.length >= MAX_ALIAS_ISSUES || (!text.includes("&") && !text.includes("*"))) return;
    const offsets = aliasOffsets(parseAllDocuments(text, { uniqueKeys: false }) as Document[], MAX_ALIAS_ISSUES - issues.length);
    if (offsets.length === 0) return;
    paths.add(JSON.stringify(path));
    const origin = patchOrigin(doc, lc, path);
    const inner = new LineCounter();
    inner.addNewLine(0);
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) inner.addNewLine(i + 1);
    for (const at of offsets) {
      const { line, col } = inner.linePos(at);
      issues.push(issueAt(origin.at(line, col), `${ALIASES_MESSAGE} (nor in its patches)`, []));
    }
  };
  (m.patches ?? []).forEach((p, i) => check(p.patch, ["patches", i, "patch"]));
  m.nodes.forEach((n, i) => {
    if (n.patch !== undefined) check(n.patch, ["nodes", i, "patch"]);
  });
  return { issues, paths };
}

/** Every patch string that does not load (Talos's LoadPatch), placed on its line in the manifest. */
function patchLoadIssues(m: Manifest, doc: Document, lc: LineCounter, skip: Set<string>): ManifestIssue[] {
  const out: ManifestIssue[] = [];
  const tryLoad = (text: string, source: string, path: PathSegment[]) => {
    if ((text.trim() === "" && path[0] === "nodes") || skip.has(JSON.stringify(path))) return;
    try {
      loadPatch(text, source);
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      out.push(issueAt(patchErrorPosition(patchOrigin(doc, lc, path), e), sourceErrorMessage(e), path));
    }
  };
  // The sources render.ts names patches by (patchSource, nodePatchSource), not imported: render.ts
  // pulls in generation (node:crypto), and this module also runs in the browser.
  (m.patches ?? []).forEach((p, i) => tryLoad(p.patch, `patches[${i}] "${p.name}"`, ["patches", i, "patch"]));
  m.nodes.forEach((n, i) => {
    if (n.patch !== undefined) tryLoad(n.patch, `nodes[${n.hostname}].patch`, ["nodes", i, "patch"]);
  });
  return out;
}

function utf8Length(s: string): number {
  if (s.length > MAX_CONFIG_BYTES || s.length * 3 <= MAX_CONFIG_BYTES) return s.length;
  return new TextEncoder().encode(s).length;
}

/** Parses and checks a manifest (everything but rendering: see check.ts). Never throws. */
export function parseManifest(text: string): ParsedManifest {
  if (utf8Length(text) > MAX_CONFIG_BYTES) {
    const lineCounter = new LineCounter();
    lineCounter.addNewLine(0);
    return { lineCounter, issues: [issueAt(FIRST_LINE, `the manifest is larger than ${MAX_CONFIG_BYTES / (1024 * 1024)} MiB (${MAX_CONFIG_BYTES} bytes): refusing to parse it`)] };
  }
  // The config reader's hardening: duplicate keys in linear time, alias expansion capped, cycles refused.
  const parsed = parseConfigYaml(text);
  const { lineCounter } = parsed;
  const issues: ManifestIssue[] = parsed.issues.map(({ document: _document, ...i }) => ({ ...i, nodes: [] }));
  const docs = parsed.documents;
  const doc = docs[0]?.doc;
  if (doc) sourceText.set(doc, text);
  if (docs.length === 0) {
    if (!issues.some((i) => i.severity === "error")) issues.push(issueAt(FIRST_LINE, "the manifest is empty"));
    return { doc, lineCounter, issues: sortIssues(issues) };
  }
  if (docs.length > 1) {
    const second = docs[1]!.doc;
    const start = second.range?.[0] ?? 0;
    issues.push(issueAt(rangeToPosition(lineCounter, [start, start]), "a manifest is one YAML document (found a second one here)"));
  }
  const first = docs[0]!;
  // Anchors and aliases: refused, and nothing is rendered from a manifest holding one (path []).
  issues.push(...aliasOffsets([first.doc]).map((at) => issueAt(rangeToPosition(lineCounter, [at, at]), ALIASES_MESSAGE)));
  // Stop there when it holds any: read through aliases, the value may be many times the text.
  if (first.broken || issues.some((i) => i.severity === "error")) return { doc, lineCounter, issues: sortIssues(issues) };

  const result = manifestSchema.safeParse(first.value);
  if (!result.success) {
    issues.push(...schemaIssues(result.error.issues, first.value, first.doc, lineCounter));
    return { doc, lineCounter, issues: sortIssues(issues) };
  }
  const manifest = result.data;
  const hits: GlobHits = new Map();
  const selection = selectionTable(manifest, hits);
  const budget = patchingBudgetMessage(patchingBytes(manifest, selection));
  if (budget) issues.push(issueAt(first.doc.has("patches") ? positionForPath(first.doc, lineCounter, ["patches"], "key") : FIRST_LINE, budget));
  const aliased = patchAliasIssues(manifest, first.doc, lineCounter);
  issues.push(...semanticIssues(manifest, first.doc, lineCounter, hits), ...aliased.issues, ...patchLoadIssues(manifest, first.doc, lineCounter, aliased.paths));
  // A patch that does not load may be quoted by its error: its secrets are not.
  return { manifest, doc, lineCounter, issues: scrubIssues(sortIssues(issues), manifest), selection };
}
