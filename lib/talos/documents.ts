/**
 * Which machine-config document is which, decided once, the way Talos's config decoder decides it
 * (pkg/machinery/config/configloader/internal/decoder/decoder.go): the legacy `v1alpha1` document
 * has no `kind` and one of the keys machine, cluster, debug, persist; every other document is
 * named by apiVersion, kind and (for named kinds) name. Used
 * by the validator, redaction and diff, certificate extraction and the simulator. Pure and
 * isomorphic.
 */
import { isMap, isScalar, type Document } from "yaml";

/** The `kind` Minos gives the legacy document, and its only `version`. */
export const V1ALPHA1 = "v1alpha1";

/** Keys whose presence marks the v1alpha1 document (decoder.go `ManifestDeprecatedKey*`). */
export const V1ALPHA1_KEYS = ["machine", "cluster", "debug", "persist"] as const;

/** A document's top-level entries; only the keys and the scalar values of kind/apiVersion/name matter. */
export type DocumentHead = Readonly<Record<string, unknown>>;

const noKind = (kind: unknown) => kind === undefined || kind === null || kind === "";

/**
 * True for the v1alpha1 document. Go decodes a missing, null or empty `kind` alike, so all three
 * count as none. Talos's decoder also takes a document with no kind and `apiVersion: v1alpha1`
 * (and no other key of v1alpha1) as v1alpha1, then rejects it for its unknown `apiVersion` key;
 * here such a document is a typed one missing its kind, which is what its author meant and what
 * the validator says ("missing kind").
 */
export function isV1Alpha1Document(head: DocumentHead): boolean {
  return noKind(head.kind) && V1ALPHA1_KEYS.some((k) => Object.hasOwn(head, k));
}

/** "v1alpha1" for the v1alpha1 document, else its `kind` when it has one, else null. */
export function documentKind(head: DocumentHead): string | null {
  if (isV1Alpha1Document(head)) return V1ALPHA1;
  return typeof head.kind === "string" && head.kind !== "" ? head.kind : null;
}

/**
 * The identity of a document across two versions of a config: "v1alpha1", or `kind/name` (name
 * empty for unnamed kinds). Two documents with one key are the same document.
 */
export function documentKey(head: DocumentHead): string {
  if (isV1Alpha1Document(head)) return V1ALPHA1;
  return `${String(head.kind ?? "")}/${String(head.name ?? "")}`;
}

/**
 * The head of a parsed YAML document without expanding it: top-level keys, with scalar values
 * as their values and anything else (a mapping, a list, an alias) as its node. Cheap even for a
 * document whose aliases would make `toJS` blow up. Empty for a document that is not a mapping.
 */
export function yamlDocumentHead(doc: Document): DocumentHead {
  // No prototype: a `__proto__` key is just a key.
  const head = Object.create(null) as Record<string, unknown>;
  if (!isMap(doc.contents)) return head;
  for (const pair of doc.contents.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    if (Object.hasOwn(head, key)) continue; // first one wins, as a map lookup does
    head[key] = isScalar(pair.value) ? pair.value.value : pair.value;
  }
  return head;
}

/** {@link documentKey} of a parsed YAML document. */
export function yamlDocumentKey(doc: Document): string {
  return documentKey(yamlDocumentHead(doc));
}
