/**
 * Reading YAML for redaction and merge-back: document identity, node paths, alias resolution,
 * line positions, comments and in-place edits of scalar sources. No policy on what is secret.
 */
import { isMap, isScalar, isSeq, parseAllDocuments, Parser, Scalar, type Alias, type Document } from "yaml";

import { REDACTED } from "../secret-values";
import { aliasTargets } from "../yaml";
import { documentKind, yamlDocumentHead, yamlDocumentKey } from "@/lib/talos/documents";

export type PathSegment = string | number;

export const pathKey = (path: readonly PathSegment[]) => JSON.stringify(path);

export function documentsOf(yaml: string): Document.Parsed[] {
  return parseAllDocuments(yaml, { uniqueKeys: false }) as Document.Parsed[];
}

/** The kind a document's secrets are looked up by: "v1alpha1", its `kind`, or null (unknown); Talos's decoder's rule. */
export function kindOf(doc: Document.Parsed): string | null {
  return documentKind(yamlDocumentHead(doc));
}

/** Every node's own path (aliases are not followed: a node has one place). */
export function indexPaths(node: unknown, path: PathSegment[], out: Map<unknown, PathSegment[]>): void {
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

export class LineIndex {
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

export const textOf = (value: unknown): string | null => {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return null;
};

export type Resolve = (alias: Alias) => unknown;

/** Alias resolution through the one linear alias index (lib/config/yaml.ts `aliasTargets`). */
export function resolverOf(doc: Document.Parsed): Resolve {
  const targets = aliasTargets(doc);
  return (alias) => targets.get(alias);
}

/** Escapes `text` for the inside of a scalar of `type`; null when it cannot sit there as is. */
export function escapeFor(type: Scalar["type"], text: string): string | null {
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
export function spliceScalarSource(type: Scalar["type"], src: string, from: readonly string[], to: readonly string[]): string | null {
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

export const trailingSpace = (s: string) => /\s*$/.exec(s)![0];

/** Every comment of a YAML stream, with its offset (from the parser's concrete syntax tree). */
export function commentTokens(yaml: string): { offset: number; source: string }[] {
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
export function splice(source: string, edits: readonly { start: number; end: number; text: string }[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    parts.push(source.slice(at, e.start), e.text);
    at = e.end;
  }
  parts.push(source.slice(at));
  return parts.join("");
}

/** Identity of a document across two versions of a config: the v1alpha1 one, or kind + name (lib/talos/documents). */
export const documentKey = yamlDocumentKey;

/** The text of a scalar holding the marker (a tagged one, `!!binary '******'`, by its source). */
export function markerText(node: unknown): string | null {
  if (!isScalar(node)) return null;
  const text = typeof node.value === "string" ? node.value : typeof node.source === "string" ? node.source : null;
  return text !== null && text.includes(REDACTED) ? text : null;
}
