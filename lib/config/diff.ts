import { createTwoFilesPatch } from "diff";
import { type Document } from "yaml";

import { yamlDocumentKey as documentKey } from "@/lib/talos/documents";

import { markedScalars, markerAt, redactConfig } from "./redact";
import { indexAliases, parseStream } from "./yaml";

/** The comment put after a redacted secret whose value differs between the two sides. */
export const SECRET_CHANGED_MARK = "# secret changed";

export interface RedactedDiff {
  /** Unified diff of the two redacted texts; "" when they are equal, secrets included. */
  diff: string;
  unchanged: boolean;
  /** Dotted paths ("machine.token", "[1].auth") of secrets whose values differ or are new. */
  changedSecrets: string[];
  /** The redacted `from` text. */
  fromYaml: string;
  /** The redacted `to` text, with {@link SECRET_CHANGED_MARK} after each changed secret. */
  toYaml: string;
}

type Segment = string | number;

function docsOf(yaml: string): Document.Parsed[] {
  // parseStream: yaml's own duplicate-key check is quadratic in a mapping's size.
  return parseStream(yaml);
}

function valueAt(root: unknown, path: readonly Segment[]): unknown {
  let cur = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** The document's value; a marker for one too alias-heavy to expand (every secret then counts as changed). */
const UNREADABLE = Symbol("unreadable");
function jsOf(doc: Document.Parsed | undefined): unknown {
  try {
    if (!doc) return undefined;
    indexAliases(doc); // yaml's own alias lookup scans every earlier anchor per alias
    return doc.toJS({ maxAliasCount: 1000 });
  } catch {
    return UNREADABLE;
  }
}
const bytes = (_: string, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v);
const same = (a: unknown, b: unknown) => JSON.stringify(a, bytes) === JSON.stringify(b, bytes);

function formatPath(document: number, docCount: number, path: Segment[]): string {
  const body = path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
  return docCount > 1 && document > 0 ? `[${document}].${body}` : body;
}

/**
 * A unified diff of two machine configs with every secret redacted, for showing a change to
 * someone who must not see the secrets. A plain diff of two redacted texts would hide a changed
 * secret (both sides read '******'), so each secret of `to` whose real value differs from
 * `from` (or is new) gets a {@link SECRET_CHANGED_MARK} comment: the line then shows as changed
 * without revealing either value. The comment is YAML-neutral, so `toYaml` stays a valid config.
 */
export function redactedDiff(from: string, to: string, labels: { from: string; to: string } = { from: "running", to: "new" }): RedactedDiff {
  const fromYaml = redactConfig(from);
  const redactedTo = redactConfig(to);
  const fromByKey = new Map(docsOf(from).map((d) => [documentKey(d), d]));
  const toDocs = docsOf(to);
  const redactedDocs = docsOf(redactedTo);
  const changedSecrets: string[] = [];
  const marks: number[] = [];
  redactedDocs.forEach((doc, document) => {
    const original = toDocs[document];
    const before = original ? fromByKey.get(documentKey(original)) : undefined;
    const [now, then] = [jsOf(original), jsOf(before)];
    for (const { node, path } of markedScalars(doc)) {
      // A marker already in `to` (an unresolved redacted edit) says nothing about a change.
      if (markerAt(original, path)) continue;
      if (now === UNREADABLE || then === UNREADABLE || !same(valueAt(now, path), valueAt(then, path))) {
        changedSecrets.push(formatPath(document, redactedDocs.length, path));
        marks.push(node.range![1]);
      }
    }
  });
  // One pass over the text (splicing a mark at a time copied it once per changed secret).
  const parts: string[] = [];
  let last = 0;
  for (const at of marks.sort((a, b) => a - b)) {
    parts.push(redactedTo.slice(last, at), ` ${SECRET_CHANGED_MARK}`);
    last = at;
  }
  parts.push(redactedTo.slice(last));
  const toYaml = parts.join("");
  const unchanged = fromYaml === toYaml;
  const diff = unchanged
    ? ""
    : createTwoFilesPatch(labels.from, labels.to, fromYaml, toYaml, undefined, undefined, {
        context: 3,
        headerOptions: { includeIndex: false, includeUnderline: false, includeFileHeaders: true },
      });
  return { diff, unchanged, changedSecrets, fromYaml, toYaml };
}
