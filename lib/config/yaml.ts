/**
 * YAML streams parsed with duplicate keys found in linear time. yaml's own check (`uniqueKeys`)
 * compares each new key with every earlier key of its mapping, so a mapping of 20,000 keys cost
 * 200 million comparisons (a 223 KiB config took 14 s). Here the parser runs without it and one
 * pass keeps a Map of the keys per mapping. Isomorphic: the browser runs it too.
 */
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, YAMLParseError, type Document, type DocumentOptions, type Node as YamlNode, type ParseOptions, type SchemaOptions } from "yaml";

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
