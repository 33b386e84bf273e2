/**
 * The secrets of manifest patch strings that configs' redaction does not see: a JSON patch's
 * operation values, judged by the config path they target. Shared by redaction (redact.ts) and
 * by the scrubbing of messages (parse.ts, check.ts). Isomorphic and pure.
 */
import { isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node as YamlNode } from "yaml";

import { configSecrets, REDACTED } from "@/lib/config/redact";
import { indexPaths, LineIndex, pathKey, trailingSpace, type PathSegment } from "@/lib/config/redaction/yaml-source";
import { childCursor, documentCursor, type SecretCursor, type StepMark } from "@/lib/config/schema/secrets";
import { prepareSecrets, scrubText } from "@/lib/config/secret-values";
import type { ManifestIssue } from "@/lib/schemas/manifests";

import type { Manifest } from "./schema";

export const REDACTED_SOURCE = `'${REDACTED}'`;

export const documentsOf = (text: string) => parseAllDocuments(text, { uniqueKeys: false }) as Document.Parsed[];

// ---- JSON patches: operation values under secret paths ----

export interface WholeEdit {
  start: number;
  end: number;
  text: string;
  /** The original source of the replaced region (what merge-back puts back). */
  source: string;
  /** The region began at its line's start (a block collection, indentation included). */
  fromLineStart: boolean;
  /** The secret texts inside (each scalar's value), for scrubbing messages. */
  texts: string[];
  /** The operation the value belongs to (`op` and `path`): merge-back restores it only into the same one. */
  operation: string;
}

/** A JSON patch operation's identity: its `op` and `path`, as merge-back compares them. */
const operationOf = (op: unknown): string => (isMap(op) ? JSON.stringify([op.get("op") ?? null, op.get("path") ?? null]) : "");

/**
 * The operations of a JSON patch text by index (their `op` and `path`), or null when the text
 * is not one: merge-back restores a redacted value only into the operation it was taken from.
 */
export function jsonPatchOperations(text: string): string[] | null {
  const docs = documentsOf(text);
  if (docs.length !== 1 || docs[0]!.errors.length > 0) return null;
  const list = docs[0]!.contents;
  if (!isSeq(list) || list.items.length === 0 || !list.items.every((op) => isMap(op) && op.has("op"))) return null;
  return list.items.map(operationOf);
}

/** The string values of the scalars in a node. */
function leafTexts(node: unknown, out: string[] = []): string[] {
  if (isScalar(node)) {
    if (node.value !== null && node.value !== undefined && node.value !== "") out.push(String(node.value));
  } else if (isMap(node)) for (const p of node.items) leafTexts(p.value, out);
  else if (isSeq(node)) for (const i of node.items) leafTexts(i, out);
  return out;
}

/** The operations' `value` nodes of a JSON patch (a single YAML/JSON list of maps with `op`), or null. */
function jsonPatchOps(doc: Document.Parsed): { path: string; value: YamlNode; keyStart: number; operation: string }[] | null {
  const list = doc.contents;
  if (!isSeq(list) || list.items.length === 0 || !list.items.every((op) => isMap(op) && op.has("op"))) return null;
  const out: { path: string; value: YamlNode; keyStart: number; operation: string }[] = [];
  for (const op of list.items) {
    if (!isMap(op)) continue;
    const path = op.get("path");
    const pair = op.items.find((p) => isScalar(p.key) && p.key.value === "value");
    if (typeof path !== "string" || !pair || !pair.value || !isScalar(pair.key) || !pair.key.range) continue;
    out.push({ path, value: pair.value as YamlNode, keyStart: pair.key.range[0], operation: operationOf(op) });
  }
  return out;
}

const pointer = (p: string): (string | number)[] =>
  p
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) || s === "-" ? (s === "-" ? 0 : Number(s)) : s));

/**
 * The whole-value redactions of a JSON patch, keyed by the value's path in the patch: each
 * operation's value is walked as the v1alpha1 document's value at its target path would be.
 * Null when the text is not a JSON patch.
 */
export function jsonPatchRedactions(text: string): Map<string, WholeEdit> | null {
  const docs = documentsOf(text);
  if (docs.length !== 1 || docs[0]!.errors.length > 0) return null;
  const doc = docs[0]!;
  const ops = jsonPatchOps(doc);
  if (!ops) return null;
  const lines = new LineIndex(text);
  const paths = new Map<unknown, PathSegment[]>();
  indexPaths(doc.contents, [], paths);
  const out = new Map<string, WholeEdit>();

  let operation = "";
  const whole = (node: YamlNode, keyStart: number | undefined) => {
    if (!node.range) return;
    if (isScalar(node) && (node.value === null || node.value === "" || node.value === REDACTED)) return;
    if ((isMap(node) || isSeq(node)) && node.items.length === 0) return;
    const path = paths.get(node);
    if (!path) return;
    const [start, end] = node.range;
    const stop = end - trailingSpace(text.slice(start, end)).length;
    const before = text.slice(lines.lineStart(start), start);
    if ((isMap(node) || isSeq(node)) && !node.flow && /^\s*$/.test(before)) {
      // A block collection: the marker takes its first line, indented under its key.
      const lineStart = lines.lineStart(start);
      const keyColumn = keyStart === undefined ? -1 : lines.column(keyStart);
      const indent = lines.column(start) > keyColumn ? before : " ".repeat(keyColumn + 2);
      out.set(pathKey(path), { start: lineStart, end: stop, text: indent + REDACTED_SOURCE, source: text.slice(lineStart, stop), fromLineStart: true, texts: leafTexts(node), operation });
      return;
    }
    out.set(pathKey(path), { start, end: stop, text: REDACTED_SOURCE, source: text.slice(start, stop), fromLineStart: false, texts: leafTexts(node), operation });
  };

  const walk = (node: unknown, cursor: SecretCursor, mark: StepMark | null, keyStart: number | undefined): void => {
    if (!node || typeof node !== "object") return;
    const n = node as YamlNode;
    if (mark === true || ((mark === "values" || mark === "leaf") && !isMap(n))) return whole(n, keyStart);
    if (isMap(n)) {
      const inner: SecretCursor = mark === "values" ? { ...cursor, valuesSecret: true } : cursor;
      for (const pair of n.items) {
        if (!isScalar(pair.key) || pair.key.value === null || typeof pair.key.value === "object") continue;
        const step = childCursor(inner, String(pair.key.value));
        walk(pair.value, step.cursor, step.mark, pair.key.range?.[0]);
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => {
        const step = childCursor(cursor, i);
        walk(item, step.cursor, step.mark, undefined);
      });
    }
  };

  for (const op of ops) {
    operation = op.operation;
    let cursor = documentCursor("v1alpha1");
    let mark: StepMark | null = null;
    for (const seg of pointer(op.path)) {
      const step = childCursor(cursor, seg);
      cursor = step.cursor;
      mark = step.mark;
      if (mark === true) break;
    }
    walk(op.value, cursor, mark, op.keyStart);
  }
  return out;
}

/** Every secret text of a patch string (as its redaction finds them), e.g. to scrub a message. */
export function patchSecrets(text: string): string[] {
  const json = jsonPatchRedactions(text);
  return [...configSecrets(text), ...(json ? [...json.values()].flatMap((e) => e.texts) : [])];
}

/**
 * The issues with every secret of the manifest's patch strings (and anything the value rules
 * call a secret) taken out of their messages: a Talos error may quote the value it refused.
 */
export function scrubIssues(issues: ManifestIssue[], manifest: Manifest | undefined): ManifestIssue[] {
  if (issues.length === 0) return issues;
  const texts = manifest ? [...(manifest.patches ?? []).map((p) => p.patch), ...manifest.nodes.flatMap((n) => (n.patch ? [n.patch] : []))] : [];
  const known = prepareSecrets(texts.flatMap(patchSecrets));
  return issues.map((i) => {
    const message = scrubText(i.message, known);
    return message === i.message ? i : { ...i, message };
  });
}
