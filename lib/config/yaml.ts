/**
 * YAML streams parsed with duplicate keys found in linear time. yaml's own check (`uniqueKeys`)
 * compares each new key with every earlier key of its mapping, so a mapping of 20,000 keys cost
 * 200 million comparisons (a 223 KiB config took 14 s). Here the parser runs without it and one
 * pass keeps a Map of the keys per mapping. Isomorphic: the browser runs it too.
 */
import {
  Alias,
  isAlias,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  YAMLParseError,
  type Document,
  type DocumentOptions,
  type Node as YamlNode,
  type ParseOptions,
  type SchemaOptions,
} from "yaml";

export type StreamOptions = ParseOptions & DocumentOptions & SchemaOptions;

/** A key that repeats an earlier key of the same mapping. */
export interface DuplicateKey {
  key: YamlNode;
  /** The key's text for messages (its scalar value). */
  name: string;
}

/**
 * The keys of `doc` that repeat an earlier key of their mapping, with yaml's notion of equal:
 * scalar keys with the same value (`1` and `"1"` differ; NaN never repeats); other keys never.
 * Walks with an explicit stack, so deep nesting cannot overflow the call stack.
 */
export function findDuplicateKeys(doc: Document): DuplicateKey[] {
  const out: DuplicateKey[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key;
        if (isScalar(key) && !Number.isNaN(key.value)) {
          if (seen.has(key.value)) out.push({ key, name: String(key.value) });
          else seen.add(key.value);
        }
        stack.push(pair.value, key);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    } else if (isPair(node)) {
      // A pair as a sequence item (`- a: 1` in a flow sequence `[a: 1]`).
      stack.push(node.value, node.key);
    }
  }
  return out;
}

/**
 * `parseAllDocuments` with `uniqueKeys` checked in linear time: each repeated key adds a
 * DUPLICATE_KEY error to its document, over the key's range, as yaml's own check would.
 */
export function parseStream(source: string, options: StreamOptions = {}): Document.Parsed[] {
  const unique = options.uniqueKeys !== false;
  const parsed = parseAllDocuments(source, { ...options, uniqueKeys: false });
  // An empty stream (nothing, or only comments) comes back as an EmptyStream: no documents.
  const docs = Array.isArray(parsed) ? (parsed as Document.Parsed[]) : [];
  if (unique) {
    for (const doc of docs) {
      for (const d of findDuplicateKeys(doc)) {
        const r = d.key.range ?? [0, 0, 0];
        doc.errors.push(new YAMLParseError([r[0], r[1]], "DUPLICATE_KEY", "Map keys must be unique"));
      }
    }
  }
  return docs;
}

// ---- aliases ----

const targetsByDoc = new WeakMap<Document, Map<Alias, YamlNode>>();

/**
 * What each alias of `doc` refers to: the last node with its anchor before it, in document order
 * (YAML's rule, and yaml's). One walk per document, with an explicit stack: yaml's own
 * Alias.resolve walks the whole document, or scans every anchor before the alias, on each call.
 */
export function aliasTargets(doc: Document): Map<Alias, YamlNode> {
  let targets = targetsByDoc.get(doc);
  if (targets) return targets;
  targets = new Map();
  const anchors = new Map<string, YamlNode>();
  // Pre-order, keys before values: the document's order.
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const n = stack.pop();
    if (isAlias(n)) {
      const target = anchors.get(n.source);
      if (target) targets.set(n, target);
      continue;
    }
    if (isPair(n)) {
      stack.push(n.value, n.key);
      continue;
    }
    if (!isNode(n)) continue;
    if (n.anchor) anchors.set(n.anchor, n);
    if (isMap(n) || isSeq(n)) for (let i = n.items.length - 1; i >= 0; i--) stack.push(n.items[i]);
  }
  targetsByDoc.set(doc, targets);
  return targets;
}

interface AnchorData {
  aliasCount: number;
  count: number;
  res: unknown;
}
interface ResolveContext {
  anchors: Map<YamlNode, AnchorData>;
  maxAliasCount: number;
}

const yamlResolve = Alias.prototype.resolve;

/** yaml's getAliasCount (how many expansions a node holds), with the aliases pre-resolved. */
function aliasCount(node: unknown, targets: Map<Alias, YamlNode>, anchors: Map<YamlNode, AnchorData>): number {
  if (isAlias(node)) {
    const target = targets.get(node);
    const anchor = target && anchors.get(target);
    return anchor ? anchor.count * anchor.aliasCount : 0;
  }
  if (isCollection(node)) {
    let max = 0;
    for (const item of node.items) max = Math.max(max, aliasCount(item, targets, anchors));
    return max;
  }
  if (isPair(node)) return Math.max(aliasCount(node.key, targets, anchors), aliasCount(node.value, targets, anchors));
  return 1;
}

/**
 * Makes `doc.toJS()` resolve aliases in constant time. yaml's Alias.resolve scans every anchor
 * and alias before the one it resolves, so a config with 20,000 anchors and aliases took 16 s to
 * read (quadratic). Each alias of `doc` gets a resolve of its own with the target found in one
 * walk ({@link aliasTargets}) and yaml's exact accounting (the same counts, the same "excessive
 * alias count" guard); anything unusual (another document, an anchor not yet read) falls back to
 * yaml's own method.
 */
export function indexAliases(doc: Document): void {
  const targets = aliasTargets(doc);
  for (const alias of targets.keys()) {
    const resolve = function (this: Alias, d: Document, ctx?: ResolveContext): YamlNode | undefined {
      if (d !== doc) return yamlResolve.call(this, d, ctx as never) as YamlNode | undefined;
      if (ctx?.maxAliasCount === 0) throw new ReferenceError("Alias resolution is disabled");
      const found = targets.get(this);
      if (found && ctx) {
        const data = ctx.anchors.get(found);
        if (!data || data.res === undefined) return yamlResolve.call(this, d, ctx as never) as YamlNode | undefined;
        if (ctx.maxAliasCount >= 0) {
          data.count += 1;
          if (data.aliasCount === 0) data.aliasCount = aliasCount(found, targets, ctx.anchors);
          if (data.count * data.aliasCount > ctx.maxAliasCount) throw new ReferenceError("Excessive alias count indicates a resource exhaustion attack");
        }
      }
      return found;
    };
    Object.defineProperty(alias, "resolve", { value: resolve, configurable: true, writable: true });
  }
}
