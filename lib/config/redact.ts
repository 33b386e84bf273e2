import { isMap, isScalar, isSeq, parseAllDocuments, visit, type Document, type Node, type Pair, type Scalar } from "yaml";

// Identity of a document across two versions of a config: the v1alpha1 one, or kind + name.
import { yamlDocumentKey as documentKey } from "@/lib/talos/documents";

/** What a secret value reads as once redacted: the marker Talos uses in its own redacted configs. */
export const REDACTED = "******";
/** The marker as YAML source: unquoted, `*` would start an alias. */
const REDACTED_SOURCE = `'${REDACTED}'`;

type PathSegment = string | number;

// Field names that hold a secret wherever they appear in a Talos config: bootstrap and join
// tokens, encryption secrets, registry credentials, WireGuard and disk-encryption keys.
const SECRET_FIELDS = new Set([
  "token",
  "secret",
  "clusterSecret",
  "aescbcEncryptionSecret",
  "secretboxEncryptionSecret",
  "password",
  "passphrase",
  "identityToken",
  "apiToken",
  "privateKey",
  "presharedKey",
  "uniqueToken",
]);

/**
 * Whether the value at this pair is a secret. `key` is a private key when it sits beside a
 * `crt` (every CA and key pair in the config) or holds PEM; `auth` is a registry credential
 * when it is a string (elsewhere it is an object of auth settings).
 */
function isSecretPair(pair: Pair, parentKeys: Set<string>): boolean {
  if (!isScalar(pair.key) || !isScalar(pair.value)) return false;
  const name = String(pair.key.value);
  const value = pair.value.value;
  if (value === null || value === "" || typeof value !== "string") return typeof value === "number" && SECRET_FIELDS.has(name);
  if (SECRET_FIELDS.has(name)) return true;
  if (name === "key") return parentKeys.has("crt") || /PRIVATE KEY|^LS0tLS1CRUdJTi/.test(value);
  if (name === "auth") return true;
  return false;
}

interface SecretSpot {
  document: number;
  path: PathSegment[];
  node: Scalar;
}

function documentsOf(yaml: string): Document.Parsed[] {
  return parseAllDocuments(yaml, { keepSourceTokens: false }) as Document.Parsed[];
}

/** Every secret scalar in a multi-document config, with its path. */
function findSecrets(docs: Document.Parsed[]): SecretSpot[] {
  const spots: SecretSpot[] = [];
  docs.forEach((doc, document) => {
    visit(doc, {
      Pair(_, pair, ancestors) {
        const parent = ancestors[ancestors.length - 1];
        const keys = new Set<string>();
        if (isMap(parent)) for (const p of parent.items) if (isScalar(p.key)) keys.add(String(p.key.value));
        if (isSecretPair(pair as Pair, keys)) {
          spots.push({ document, path: pathOf(ancestors, pair as Pair), node: (pair as Pair).value as Scalar });
        }
      },
    });
  });
  return spots;
}

function pathOf(ancestors: readonly unknown[], pair: Pair): PathSegment[] {
  const path: PathSegment[] = [];
  for (let i = 0; i < ancestors.length; i++) {
    const a = ancestors[i];
    const next = ancestors[i + 1] ?? pair;
    if (isSeq(a)) path.push(a.items.indexOf(next as Node));
    else if ((a as Pair)?.key !== undefined && isScalar((a as Pair).key) && next === (a as Pair).value) {
      path.push(String(((a as Pair).key as Scalar).value));
    }
  }
  path.push(String((pair.key as Scalar).value));
  return path;
}

/** Replaces source ranges from the end backwards so earlier offsets stay valid. */
function splice(source: string, edits: { start: number; end: number; text: string }[]): string {
  let out = source;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/**
 * The config with every secret value replaced by {@link REDACTED}. Everything else, comments and
 * formatting included, stays byte for byte, so a diff of two redacted configs is a true diff.
 * Unparseable YAML is returned fully redacted rather than risk leaking part of it.
 */
export function redactConfig(yaml: string): string {
  const docs = documentsOf(yaml);
  if (docs.some((d) => d.errors.length > 0)) return REDACTED_SOURCE;
  const edits = findSecrets(docs)
    .filter((s) => s.node.range && s.node.value !== REDACTED)
    .map((s) => ({ start: s.node.range![0], end: s.node.range![1], text: REDACTED_SOURCE }));
  return splice(yaml, edits);
}

export interface MergeResult {
  yaml: string;
  /** Paths still holding the marker because the original had no value there. */
  unresolved: { document: number; path: PathSegment[] }[];
}

/**
 * Puts the original secret values back into an edited, redacted config before it is sent to a
 * node. A marker is matched by its document (v1alpha1, or kind and name) and path; one with no
 * original value is reported, never sent.
 */
export function mergeSecrets(edited: string, original: string): MergeResult {
  const editedDocs = documentsOf(edited);
  const originalDocs = documentsOf(original);
  const byKey = new Map(originalDocs.map((d) => [documentKey(d), d]));
  const edits: { start: number; end: number; text: string }[] = [];
  const unresolved: MergeResult["unresolved"] = [];
  editedDocs.forEach((doc, document) => {
    const source = byKey.get(documentKey(doc));
    visit(doc, {
      Scalar(_, node, ancestors) {
        if (node.value !== REDACTED || !node.range) return;
        const pair = ancestors[ancestors.length - 1] as Pair;
        if (!pair || !isScalar(pair.key)) return;
        const path = pathOf(ancestors.slice(0, -1), pair);
        const originalNode = source?.getIn(path, true);
        if (isScalar(originalNode) && originalNode.range && originalNode.value !== REDACTED) {
          const text = original.slice(originalNode.range[0], originalNode.range[1]);
          edits.push({ start: node.range[0], end: node.range[1], text });
        } else {
          unresolved.push({ document, path });
        }
      },
    });
  });
  return { yaml: splice(edited, edits), unresolved };
}

/** Whether the value at `path` of document `document` is the redaction marker. */
export function isRedactedAt(yaml: string, document: number, path: PathSegment[]): boolean {
  const doc = documentsOf(yaml)[document];
  const node = doc?.getIn(path, true);
  return isScalar(node) && node.value === REDACTED;
}
