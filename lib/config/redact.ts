/**
 * Redaction of machine configs for people who must not see their secrets (the running config
 * shown to viewers, diffs, revisions), and the merge that puts the secrets back into an edited
 * redacted config before it goes to a node.
 *
 * What is secret comes from two places:
 * - the schema: every field marked `secret` in the field table (lib/config/schema/types, all
 *   minors; Talos's own `Redact` list plus credentials Talos leaves in), followed through YAML
 *   aliases and merge keys, whatever the value's shape (a list, a map, `!!binary`); free-form
 *   and unknown keys by their names (GITHUB_TOKEN, clientSecret, Authorization…);
 * - value rules on every string (lib/config/secret-values.ts): credentials inside URLs,
 *   jointoken and other secret parameters in kernel arguments and env entries, PEM private keys.
 * A comment on the lines of a secret (or the comment block right above it) is redacted whole;
 * any other comment loses what the value rules or the document's known secrets find in it.
 */
import { isAlias, isCollection, isMap, isScalar, isSeq, parseAllDocuments, Parser, Scalar, type Alias, type Document, type Node } from "yaml";

// Which document is which (the v1alpha1 one, or kind + name): one rule, Talos's decoder's.
import { documentKind, yamlDocumentHead, yamlDocumentKey as documentKey } from "@/lib/talos/documents";

import { childCursor, documentCursor, isSensitiveName, type SecretCursor, type StepMark } from "./schema/secrets";
import { knownSecretPieces, mergePieces, prepareSecrets, REDACTED, replacePieces, secretPieces, type Piece } from "./secret-values";

export { REDACTED } from "./secret-values";

/** The marker as YAML source: unquoted, `*` would start an alias. */
const REDACTED_SOURCE = `'${REDACTED}'`;
const REDACTED_COMMENT = `# ${REDACTED}`;

type PathSegment = string | number;

interface Edit {
  start: number;
  end: number;
  text: string;
  /** What merge-back needs to undo this edit (comments have none: see CommentSwap). */
  spot?: { document: number; key: string; spot: Spot };
  comment?: CommentSwap;
}

/** One redacted place of the original, by path: how to put it back. */
interface Spot {
  whole: boolean;
  /** The original source of the replaced region. */
  source: string;
  /** The region began at the start of its line (a block collection: indentation included). */
  fromLineStart: boolean;
  /** Partial redaction: the secret texts in order, and the value as redacted. */
  pieces: string[];
  redactedValue: string;
}

interface CommentSwap {
  redacted: string;
  original: string;
}

interface Plan {
  /** Source with every edit applied. */
  yaml: string;
  docs: Document.Parsed[];
  spots: Map<string, Spot>[];
  comments: CommentSwap[];
  /** Every secret text found (whole values and pieces). */
  secrets: Set<string>;
}

const pathKey = (path: readonly PathSegment[]) => JSON.stringify(path);

function documentsOf(yaml: string): Document.Parsed[] {
  return parseAllDocuments(yaml, { uniqueKeys: false }) as Document.Parsed[];
}

/** `{name: GITHUB_TOKEN, value: …}` (Kubernetes env entries): the name says what the value is. */
function namedValue(name: unknown): boolean {
  return typeof name === "string" && isSensitiveName(name);
}

/** Every node's own path (aliases are not followed: a node has one place). */
function indexPaths(node: unknown, path: PathSegment[], out: Map<unknown, PathSegment[]>): void {
  if (!node || typeof node !== "object") return;
  out.set(node, path);
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      indexPaths(pair.value, [...path, typeof key === "number" ? String(key) : String(key)], out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => indexPaths(item, [...path, i], out));
  }
}

class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly source: string) {
    for (let i = source.indexOf("\n"); i >= 0; i = source.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }
  line(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  lineStart(offset: number): number {
    return this.starts[this.line(offset)]!;
  }
  lineText(line: number): string {
    const start = this.starts[line] ?? this.source.length;
    const next = this.starts[line + 1] ?? this.source.length + 1;
    return this.source.slice(start, next - 1);
  }
  column(offset: number): number {
    return offset - this.lineStart(offset);
  }
}

const textOf = (value: unknown): string | null => {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return null;
};

type Resolve = (alias: Alias) => unknown;

/**
 * Alias resolution in O(log n): yaml's `Alias.resolve` searches the whole document for the
 * anchor each time, quadratic over a config with many aliases.
 */
function resolverOf(doc: Document.Parsed): Resolve {
  const anchors = new Map<string, { at: number; node: unknown }[]>();
  const seen = new Set<unknown>();
  const index = (node: unknown) => {
    if (!node || typeof node !== "object" || seen.has(node)) return;
    seen.add(node);
    const n = node as { anchor?: string; range?: [number, number, number] };
    if ((isScalar(node) || isCollection(node)) && n.anchor) {
      const list = anchors.get(n.anchor) ?? [];
      list.push({ at: n.range?.[0] ?? 0, node });
      anchors.set(n.anchor, list);
    }
    if (isMap(node)) for (const pair of node.items) {
      index(pair.key);
      index(pair.value);
    }
    else if (isSeq(node)) for (const item of node.items) index(item);
  };
  index(doc.contents);
  for (const list of anchors.values()) list.sort((a, b) => a.at - b.at);
  return (alias) => {
    const list = anchors.get(alias.source);
    const at = alias.range?.[0] ?? Number.MAX_SAFE_INTEGER;
    let found: unknown;
    for (const entry of list ?? []) {
      if (entry.at >= at) break;
      found = entry.node;
    }
    return found;
  };
}

function leafTexts(node: unknown, resolve: Resolve, out: Set<string>, seen = new Set<unknown>()): void {
  if (!node || seen.has(node)) return;
  seen.add(node);
  if (isAlias(node)) return leafTexts(resolve(node), resolve, out, seen);
  if (isScalar(node)) {
    const t = node.value === null || node.value === undefined ? "" : (textOf(node.value) ?? String(node.value));
    if (t !== "" && t !== REDACTED) out.add(t);
    if (node.source && node.source !== t) out.add(node.source);
    return;
  }
  if (isMap(node)) for (const p of node.items) leafTexts(p.value, resolve, out, seen);
  else if (isSeq(node)) for (const i of node.items) leafTexts(i, resolve, out, seen);
}

/** Escapes `text` for the inside of a scalar of `type`; null when it cannot sit there as is. */
function escapeFor(type: Scalar["type"], text: string): string | null {
  if (text.includes("\n")) return null;
  switch (type) {
    case Scalar.QUOTE_SINGLE:
      return text.replace(/'/g, "''");
    case Scalar.QUOTE_DOUBLE:
      return JSON.stringify(text).slice(1, -1);
    case Scalar.BLOCK_LITERAL:
    case Scalar.BLOCK_FOLDED:
      return text;
    default:
      return /^[^\s#:'"]*$/.test(text) ? text : null;
  }
}

/**
 * Replaces, in the source `src` of a scalar of `type`, the i-th occurrence (in order) of each
 * `from[i]` by `to[i]`, both as the scalar's value reads them; null when the source does not
 * show them plainly (escapes, folded lines): the caller rewrites the whole scalar then.
 */
function spliceScalarSource(type: Scalar["type"], src: string, from: readonly string[], to: readonly string[]): string | null {
  const oneLine = type === Scalar.BLOCK_LITERAL || type === Scalar.BLOCK_FOLDED || !src.includes("\n");
  if (!oneLine) return null;
  let out = "";
  let at = 0;
  for (let i = 0; i < from.length; i++) {
    const f = escapeFor(type, from[i]!);
    const t = escapeFor(type, to[i]!);
    if (f === null || t === null || f === "") return null;
    const found = src.indexOf(f, at);
    if (found < 0) return null;
    out += src.slice(at, found) + t;
    at = found + f.length;
  }
  return out + src.slice(at);
}

const trailingSpace = (s: string) => /\s*$/.exec(s)![0];

/** Builds the redaction of a config: the redacted text and what merge-back needs. */
function plan(yaml: string): Plan | null {
  const docs = documentsOf(yaml);
  if (docs.some((d) => d.errors.length > 0)) return null;
  const lines = new LineIndex(yaml);
  const edits: Edit[] = [];
  const secrets = new Set<string>();
  /** [from, to] source ranges whose lines are a secret's (for comments). */
  const spans: [number, number][] = [];
  const spots: Map<string, Spot>[] = docs.map(() => new Map());
  /** Nodes redacted whole: their strings need nothing more. */
  const wholly = new Set<unknown>();
  /** Strings to search once every document's secrets are known. */
  const pending: { node: Scalar; text: string; from: number; pieces: Piece[]; addSpot: (node: unknown, edit: Edit, spot: Spot) => void }[] = [];

  docs.forEach((doc, document) => {
    const paths = new Map<unknown, PathSegment[]>();
    indexPaths(doc.contents, [], paths);
    const visited = new Map<unknown, Set<string>>();
    const resolve = resolverOf(doc);
    const strings: { node: Scalar; text: string; from: number }[] = [];

    const addSpot = (node: unknown, edit: Edit, spot: Spot) => {
      const path = paths.get(node);
      if (path) edit.spot = { document, key: pathKey(path), spot };
      edits.push(edit);
    };

    const redactWhole = (node: unknown, from: number | undefined, seen: Set<unknown>): void => {
      if (!node || seen.has(node)) return;
      seen.add(node);
      if (isAlias(node)) {
        if (node.range) spans.push([from ?? node.range[0], node.range[1]]);
        return redactWhole(resolve(node), undefined, seen);
      }
      if (!(isScalar(node) || isCollection(node)) || !node.range || wholly.has(node)) return;
      if (isScalar(node) && (node.value === null || node.value === "" || node.value === REDACTED)) return;
      if (isCollection(node) && node.items.length === 0) return;
      leafTexts(node, resolve, secrets);
      wholly.add(node);
      const [start, end] = node.range;
      const tail = trailingSpace(yaml.slice(start, end));
      const stop = end - tail.length;
      spans.push([from ?? start, stop]);
      const before = yaml.slice(lines.lineStart(start), start);
      if (isCollection(node) && !node.flow && /^\s*$/.test(before)) {
        // A block collection: the marker takes its first line, indented under its key.
        const lineStart = lines.lineStart(start);
        const keyColumn = from === undefined ? -1 : lines.column(from);
        const indent = lines.column(start) > keyColumn ? before : " ".repeat(keyColumn + 2);
        addSpot(node, { start: lineStart, end: stop, text: indent + REDACTED_SOURCE }, { whole: true, source: yaml.slice(lineStart, stop), fromLineStart: true, pieces: [], redactedValue: REDACTED });
        return;
      }
      addSpot(node, { start, end: stop, text: REDACTED_SOURCE }, { whole: true, source: yaml.slice(start, stop), fromLineStart: false, pieces: [], redactedValue: REDACTED });
    };

    const walk = (node: unknown, cursor: SecretCursor, mark: StepMark | null, from: number | undefined): void => {
      if (!node) return;
      if (mark === true || ((mark === "values" || mark === "leaf") && !isMap(node) && !isAlias(node))) return redactWhole(node, from, new Set());
      if (isAlias(node)) {
        const target = resolve(node);
        const seenAs = `${cursor.exprs.join(",")}|${cursor.free}|${cursor.valuesSecret}|${mark}`;
        const seen = visited.get(target) ?? new Set<string>();
        if (!target || seen.has(seenAs)) return;
        seen.add(seenAs);
        visited.set(target, seen);
        return walk(target, cursor, mark, undefined);
      }
      if (isScalar(node)) {
        const text = textOf(node.value);
        if (text !== null && text !== "" && node.range) strings.push({ node, text, from: from ?? node.range[0] });
        return;
      }
      if (isMap(node)) {
        const inner: SecretCursor = mark === "values" ? { ...cursor, valuesSecret: true } : cursor;
        const named = namedValue(node.get("name"));
        for (const pair of node.items) {
          const keyStart = isScalar(pair.key) && pair.key.range ? pair.key.range[0] : undefined;
          const key = isScalar(pair.key) ? pair.key.value : null;
          if (key === "<<") {
            // A merge key brings the aliased map's entries here: they are at this position.
            if (isSeq(pair.value)) for (const item of pair.value.items) walk(item, inner, null, undefined);
            else walk(pair.value, inner, null, undefined);
            continue;
          }
          if (key === null || typeof key === "object") {
            walk(pair.value, documentCursor(null), null, keyStart);
            continue;
          }
          const step = childCursor(inner, typeof key === "number" ? String(key) : String(key));
          walk(pair.value, step.cursor, named && key === "value" ? "leaf" : step.mark, keyStart);
        }
        return;
      }
      if (isSeq(node)) {
        node.items.forEach((item, i) => {
          const step = childCursor(cursor, i);
          walk(item, step.cursor, step.mark, (item as Node | null)?.range?.[0]);
        });
      }
    };

    walk(doc.contents, documentCursor(documentKind(yamlDocumentHead(doc))), null, undefined);

    // Strings: the value rules now; known secrets once every document has been walked.
    for (const s of strings) {
      const pieces = secretPieces(s.text);
      if (pieces === "whole" || (pieces.length > 0 && s.node.value instanceof Uint8Array)) {
        redactWhole(s.node, s.from, new Set());
        continue;
      }
      for (const p of pieces) secrets.add(s.text.slice(p.start, p.end));
      pending.push({ ...s, pieces, addSpot });
    }
  });

  const known = prepareSecrets(secrets);
  for (const s of pending) {
    if (wholly.has(s.node)) continue;
    const extra = s.node.value instanceof Uint8Array ? [] : knownSecretPieces(s.text, known);
    const pieces = mergePieces([...s.pieces, ...extra]);
    if (pieces.length === 0) continue;
    const node = s.node;
    const [start, end] = node.range!;
    const stop = end - trailingSpace(yaml.slice(start, end)).length;
    const src = yaml.slice(start, stop);
    const texts = pieces.map((p) => s.text.slice(p.start, p.end));
    const redactedValue = replacePieces(s.text, pieces);
    const inPlace = spliceScalarSource(node.type, src, texts, texts.map(() => REDACTED));
    spans.push([s.from, stop]);
    s.addSpot(node, { start, end: stop, text: inPlace ?? JSON.stringify(redactedValue) }, { whole: false, source: src, fromLineStart: false, pieces: texts, redactedValue });
  }

  // Comments.
  const adjacent = new Set<number>();
  const walkedUp = new Set<number>();
  for (const [from, to] of spans) {
    const first = lines.line(from);
    for (let l = first; l <= lines.line(to); l++) adjacent.add(l);
    // The comment block right above; each line is looked at once, however many spans share it.
    for (let l = first - 1; l >= 0 && !walkedUp.has(l) && /^[ \t]*#/.test(lines.lineText(l)); l--) {
      walkedUp.add(l);
      adjacent.add(l);
    }
  }
  for (const c of commentTokens(yaml)) {
    let text: string;
    if (adjacent.has(lines.line(c.offset))) text = c.source.trim() === "#" ? c.source : REDACTED_COMMENT;
    else {
      const body = c.source.slice(1);
      const rules = secretPieces(body);
      text = rules === "whole" ? REDACTED_COMMENT : `#${replacePieces(body, mergePieces([...rules, ...knownSecretPieces(body, known)]))}`;
    }
    if (text !== c.source) edits.push({ start: c.offset, end: c.offset + c.source.length, text, comment: { redacted: text, original: c.source } });
  }

  const kept = outermost(edits);
  for (const e of kept) if (e.spot) spots[e.spot.document]!.set(e.spot.key, e.spot.spot);
  return { yaml: splice(yaml, kept), docs, spots, comments: kept.flatMap((e) => (e.comment ? [e.comment] : [])), secrets };
}

/** Edits not inside another one (a secret map's own secrets go with it). */
function outermost(edits: Edit[]): Edit[] {
  const whole = (e: Edit) => (e.spot?.spot.whole ? 1 : 0);
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end || whole(b) - whole(a));
  const out: Edit[] = [];
  let end = -1;
  for (const e of sorted) {
    if (e.start < end) continue;
    out.push(e);
    end = Math.max(e.end, e.start + 1);
  }
  return out;
}

/** Every comment of a YAML stream, with its offset (from the parser's concrete syntax tree). */
function commentTokens(yaml: string): { offset: number; source: string }[] {
  const out: { offset: number; source: string }[] = [];
  const seen = new Set<unknown>();
  const walk = (t: unknown) => {
    if (!t || typeof t !== "object" || seen.has(t)) return;
    seen.add(t);
    if (Array.isArray(t)) {
      for (const x of t) walk(x);
      return;
    }
    const tok = t as { type?: unknown; offset?: unknown; source?: unknown };
    if (tok.type === "comment" && typeof tok.offset === "number" && typeof tok.source === "string") {
      out.push({ offset: tok.offset, source: tok.source });
      return;
    }
    for (const v of Object.values(t)) walk(v);
  };
  for (const token of new Parser().parse(yaml)) walk(token);
  return out.sort((a, b) => a.offset - b.offset);
}

/** Replaces non-overlapping source ranges in one pass. */
function splice(source: string, edits: readonly { start: number; end: number; text: string }[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    parts.push(source.slice(at, e.start), e.text);
    at = e.end;
  }
  parts.push(source.slice(at));
  return parts.join("");
}

/**
 * The config with every secret replaced by {@link REDACTED}. Everything else, comments and
 * formatting included, stays byte for byte, so a diff of two redacted configs is a true diff.
 * Unparseable YAML is returned fully redacted rather than risk leaking part of it.
 */
export function redactConfig(yaml: string): string {
  return plan(yaml)?.yaml ?? REDACTED_SOURCE;
}

/** Every secret text of a config (whole values and pieces), e.g. to scrub a node's message. */
export function configSecrets(yaml: string): string[] {
  return [...(plan(yaml)?.secrets ?? [])];
}

export interface MergeResult {
  yaml: string;
  /** Paths still holding the marker because the original had no value there. */
  unresolved: { document: number; path: PathSegment[] }[];
}

const countOf = (text: string, part: string) => text.split(part).length - 1;

/**
 * Puts the original secret values back into an edited, redacted config before it is sent to a
 * node. A marker is matched by its document (v1alpha1, or kind and name) and path: a wholly
 * redacted value comes back as it was written (shape, tag and all); a string with redacted parts
 * (a URL's password, a jointoken) gets each part back in order, whatever else was edited around
 * them. A marker with no original value, or a string whose markers no longer match the
 * original's, is reported, never sent. Redacted comments come back too.
 */
export function mergeSecrets(edited: string, original: string): MergeResult {
  const source = plan(original);
  const editedDocs = documentsOf(edited);
  const lines = new LineIndex(edited);
  const byKey = new Map<string, number>();
  source?.docs.forEach((d, i) => byKey.set(documentKey(d), i));
  const edits: { start: number; end: number; text: string }[] = [];
  const unresolved: MergeResult["unresolved"] = [];

  editedDocs.forEach((doc, document) => {
    const index = byKey.get(documentKey(doc));
    const spots = index === undefined ? undefined : source?.spots[index];
    const paths = new Map<unknown, PathSegment[]>();
    indexPaths(doc.contents, [], paths);
    for (const [node, path] of paths) {
      const value = markerText(node);
      if (value === null || !isScalar(node) || !node.range) continue;
      const spot = spots?.get(pathKey(path));
      const [start, end] = node.range;
      const stop = end - trailingSpace(edited.slice(start, end)).length;
      if (spot?.whole && value === REDACTED) {
        const firstOnLine = /^\s*$/.test(edited.slice(lines.lineStart(start), start));
        if (!spot.fromLineStart) edits.push({ start, end: stop, text: spot.source });
        else if (firstOnLine) edits.push({ start: lines.lineStart(start), end: stop, text: spot.source });
        else unresolved.push({ document, path });
        continue;
      }
      if (spot && !spot.whole) {
        if (value === spot.redactedValue) {
          edits.push({ start, end: stop, text: spot.source });
          continue;
        }
        if (countOf(value, REDACTED) === spot.pieces.length) {
          const markers = spot.pieces.map(() => REDACTED);
          let i = 0;
          const restored = value.split(REDACTED).reduce((acc, part, k) => (k === 0 ? part : acc + spot.pieces[i++]! + part), "");
          const src = edited.slice(start, stop);
          edits.push({ start, end: stop, text: spliceScalarSource(node.type, src, markers, spot.pieces) ?? JSON.stringify(restored) });
          continue;
        }
        unresolved.push({ document, path });
        continue;
      }
      if (value === REDACTED) unresolved.push({ document, path });
    }
  });

  // Comments: each redacted comment of the original, met again unchanged, comes back in order.
  const queues = new Map<string, { originals: string[]; next: number }>();
  for (const c of source?.comments ?? []) {
    const q = queues.get(c.redacted) ?? { originals: [], next: 0 };
    q.originals.push(c.original);
    queues.set(c.redacted, q);
  }
  for (const c of commentTokens(edited)) {
    const q = queues.get(c.source);
    if (q && q.next < q.originals.length) edits.push({ start: c.offset, end: c.offset + c.source.length, text: q.originals[q.next++]! });
  }
  return { yaml: splice(edited, outermost(edits.map((e) => ({ ...e })))), unresolved };
}

/** Whether the value at `path` of document `document` is (or holds) the redaction marker. */
export function isRedactedAt(yaml: string, document: number, path: PathSegment[]): boolean {
  return markerAt(documentsOf(yaml)[document], path);
}

/** Whether the value at `path` of a parsed document is (or holds) the redaction marker. */
export function markerAt(doc: Document | undefined, path: readonly PathSegment[]): boolean {
  return markerText(doc?.getIn(path, true)) !== null;
}

/** The scalars of a parsed document that are (or hold) the marker, with their own paths. */
export function markedScalars(doc: Document.Parsed): { node: Scalar; path: PathSegment[] }[] {
  const paths = new Map<unknown, PathSegment[]>();
  indexPaths(doc.contents, [], paths);
  const out: { node: Scalar; path: PathSegment[] }[] = [];
  for (const [node, path] of paths) if (isScalar(node) && node.range && markerText(node) !== null) out.push({ node, path });
  return out;
}

/** The text of a scalar holding the marker (a tagged one, `!!binary '******'`, by its source). */
function markerText(node: unknown): string | null {
  if (!isScalar(node)) return null;
  const text = typeof node.value === "string" ? node.value : typeof node.source === "string" ? node.source : null;
  return text !== null && text.includes(REDACTED) ? text : null;
}

// ---- plain values (validation messages) ----

/** A secret of a parsed document: where it is and its text. */
export interface ValueSecret {
  path: PathSegment[];
  text: string;
}

/**
 * The secrets of one parsed document (`kind` as the validator identified it), found the same
 * way as in {@link redactConfig}: schema marks, secret names in free-form maps, value rules.
 */
export function documentSecrets(kind: string | null, value: unknown): ValueSecret[] {
  const out: ValueSecret[] = [];
  const seen = new Set<unknown>();
  const leaves = (v: unknown, path: PathSegment[]) => {
    if (v === null || v === undefined) return;
    if (typeof v === "object") {
      if (seen.has(v)) return;
      seen.add(v);
      if (v instanceof Uint8Array) return void out.push({ path, text: new TextDecoder().decode(v) });
      if (Array.isArray(v)) v.forEach((x, i) => leaves(x, [...path, i]));
      else for (const [k, x] of Object.entries(v)) leaves(x, [...path, k]);
      return;
    }
    const text = String(v);
    if (text !== "") out.push({ path, text });
  };
  const walk = (v: unknown, cursor: SecretCursor, mark: StepMark | null, path: PathSegment[]) => {
    if (v === null || v === undefined) return;
    const isObj = typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array);
    if (mark === true || ((mark === "values" || mark === "leaf") && !isObj)) return leaves(v, path);
    const text = typeof v === "string" ? v : v instanceof Uint8Array ? new TextDecoder().decode(v) : null;
    if (text !== null) {
      const pieces = secretPieces(text);
      if (pieces === "whole") out.push({ path, text });
      else for (const p of pieces) out.push({ path, text: text.slice(p.start, p.end) });
      return;
    }
    if (typeof v !== "object") return;
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        const step = childCursor(cursor, i);
        walk(x, step.cursor, step.mark, [...path, i]);
      });
      return;
    }
    const inner: SecretCursor = mark === "values" ? { ...cursor, valuesSecret: true } : cursor;
    const named = namedValue((v as Record<string, unknown>).name);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const step = childCursor(inner, k);
      walk(x, step.cursor, named && k === "value" ? "leaf" : step.mark, [...path, k]);
    }
  };
  walk(value, documentCursor(kind), null, []);
  return out;
}
