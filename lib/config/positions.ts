/**
 * Issue path → source range. Walks only the nodes along the path (no whole-document walk per
 * issue): the value node for a bad value, the key node for an unknown or unwanted key, and the
 * key of the nearest existing parent when the path does not exist (a missing required key).
 */
import { isAlias, isMap, isScalar, isSeq, type Alias, type Document, type LineCounter, type Node as YamlNode, type Pair, type YAMLMap } from "yaml";

import { rangeToPosition, rootKeyNode } from "./parse";
import { aliasTargets } from "./yaml";

export type PathSegment = string | number;

export interface SourcePosition {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

interface Located {
  /** The node at the full path, when it exists. */
  node?: YamlNode;
  /** Its key, when the node is a mapping value (or the key alone for `key:` with no value). */
  key?: YamlNode;
  /** Deepest existing node along the path (the nearest parent of a missing key). */
  deepest?: YamlNode;
  /** The key of `deepest`, when it is a mapping value (undefined for sequence items and the root). */
  deepestKey?: YamlNode;
}

const keyMatches = (key: unknown, seg: PathSegment): boolean => isScalar(key) && String(key.value) === String(seg);

// A config with thousands of issues in one wide mapping (20,000 unknown keys) would scan the
// mapping once per issue: index the keys of wide mappings once instead (the first pair wins,
// as a scan would find it).
const WIDE = 16;
const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

function findPair(map: YAMLMap, seg: PathSegment): Pair | undefined {
  if (map.items.length < WIDE) return map.items.find((p) => keyMatches(p.key, seg));
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      if (!isScalar(p.key)) continue;
      const k = String(p.key.value);
      if (!index.has(k)) index.set(k, p);
    }
    pairIndex.set(map, index);
  }
  return index.get(String(seg));
}

// yaml's Alias.resolve(doc) walks the whole document on every call: resolve every alias of a
// document in one walk instead (lib/config/yaml.ts).
const resolveAlias = (doc: Document, alias: Alias): YamlNode | undefined => aliasTargets(doc).get(alias);

function walk(doc: Document, path: readonly PathSegment[]): Located {
  let node = (doc.contents as YamlNode | null) ?? undefined;
  let key: YamlNode | undefined;
  for (const seg of path) {
    if (node && isAlias(node)) node = resolveAlias(doc, node);
    let next: YamlNode | undefined;
    let nextKey: YamlNode | undefined;
    if (isMap(node)) {
      const pair = findPair(node, seg);
      if (pair) {
        nextKey = pair.key as YamlNode;
        next = (pair.value as YamlNode | null) ?? undefined;
        // `key:` with nothing after it: the key is all there is.
        if (!next) return { key: nextKey, deepest: nextKey, deepestKey: nextKey };
      }
    } else if (isSeq(node)) {
      const i = typeof seg === "number" ? seg : /^\d+$/.test(seg) ? Number(seg) : -1;
      next = i >= 0 ? ((node.items[i] as YamlNode | null | undefined) ?? undefined) : undefined;
    }
    if (!next) return { deepest: node, deepestKey: key };
    node = next;
    key = nextKey;
  }
  return { node, key, deepest: node, deepestKey: key };
}

/** End of the line holding `offset` (collection nodes are marked on their first line only). */
function endOfLine(lc: LineCounter, offset: number): number {
  const { line } = lc.linePos(offset);
  const next = lc.lineStarts[line];
  return next === undefined ? offset + 1 : Math.max(offset + 1, next - 1);
}

function spanOf(lc: LineCounter, node: YamlNode): [number, number] | undefined {
  const r = node.range;
  if (!r) return undefined;
  if (isMap(node) || isSeq(node)) return [r[0], Math.min(r[1], endOfLine(lc, r[0]))];
  return [r[0], r[1]];
}

/** Whole-document issues point at the first key (or the document's first line). */
function rootSpan(doc: Document, lc: LineCounter): [number, number] | undefined {
  const first = rootKeyNode(doc);
  if (first) return spanOf(lc, first);
  return doc.contents ? spanOf(lc, doc.contents as YamlNode) : undefined;
}

/**
 * The source position for an issue at `path` in `doc`. `at: "key"` marks the key itself (unknown
 * keys); otherwise scalars mark the value and collections their key (or their first line).
 */
export function positionForPath(doc: Document, lc: LineCounter, path: readonly PathSegment[], at: "key" | "value" = "value"): SourcePosition {
  const loc = walk(doc, path);
  let span: [number, number] | undefined;
  if (loc.node) {
    const isCollection = isMap(loc.node) || isSeq(loc.node);
    const r = loc.node.range;
    const emptyScalar = isScalar(loc.node) && r != null && r[0] === r[1];
    if ((at === "key" || isCollection || emptyScalar) && loc.key) span = spanOf(lc, loc.key);
    else if (loc.node === doc.contents) span = rootSpan(doc, lc);
    else span = spanOf(lc, loc.node);
  } else if (loc.key) {
    span = spanOf(lc, loc.key);
  } else if (loc.deepestKey) {
    span = spanOf(lc, loc.deepestKey);
  } else if (loc.deepest && loc.deepest !== doc.contents) {
    span = spanOf(lc, loc.deepest);
  } else {
    span = rootSpan(doc, lc);
  }
  if (!span) {
    const start = doc.range?.[0] ?? 0;
    span = [start, endOfLine(lc, start)];
  }
  return rangeToPosition(lc, span);
}
