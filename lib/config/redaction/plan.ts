/**
 * Finding a config's secrets and planning their redaction: the edits that turn the config into
 * its redacted text, and for each one what merge-back needs to undo it.
 */
import { isAlias, isCollection, isMap, isScalar, isSeq, type Document, type Node, type Scalar } from "yaml";

import { childCursor, documentCursor, type SecretCursor, type StepMark } from "../schema/secrets";
import { knownSecretPieces, mergePieces, prepareSecrets, REDACTED, replacePieces, secretPieces, type Piece } from "../secret-values";

import { namedValue } from "./values";
import { commentTokens, documentsOf, indexPaths, kindOf, LineIndex, pathKey, resolverOf, splice, spliceScalarSource, textOf, trailingSpace, type PathSegment, type Resolve } from "./yaml-source";

/** The marker as YAML source: unquoted, `*` would start an alias. */
export const REDACTED_SOURCE = `'${REDACTED}'`;
export const REDACTED_COMMENT = `# ${REDACTED}`;

export interface Edit {
  start: number;
  end: number;
  text: string;
  /** What merge-back needs to undo this edit (comments have none: see CommentSwap). */
  spot?: { document: number; key: string; spot: Spot };
  comment?: CommentSwap;
}

/** One redacted place of the original, by path: how to put it back. */
export interface Spot {
  whole: boolean;
  /** The original source of the replaced region. */
  source: string;
  /** The region began at the start of its line (a block collection: indentation included). */
  fromLineStart: boolean;
  /** Partial redaction: the secret texts in order, and the value as redacted. */
  pieces: string[];
  redactedValue: string;
}

export interface CommentSwap {
  redacted: string;
  original: string;
}

export interface Plan {
  /** Source with every edit applied. */
  yaml: string;
  docs: Document.Parsed[];
  spots: Map<string, Spot>[];
  comments: CommentSwap[];
  /** Every secret text found (whole values and pieces). */
  secrets: Set<string>;
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

/** Builds the redaction of a config: the redacted text and what merge-back needs. */
export function plan(yaml: string): Plan | null {
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

    walk(doc.contents, documentCursor(kindOf(doc)), null, undefined);

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
export function outermost(edits: Edit[]): Edit[] {
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
