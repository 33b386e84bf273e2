import { createTwoFilesPatch } from "diff";
import { isScalar, isSeq, parseAllDocuments, visit, type Document, type Pair, type Scalar } from "yaml";

// Same identity rule as mergeSecrets: the v1alpha1 document, or kind + name.
import { yamlDocumentKey as documentKey } from "@/lib/talos/documents";

import { REDACTED, redactConfig } from "./redact";

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
  return parseAllDocuments(yaml) as Document.Parsed[];
}

function scalarAt(doc: Document.Parsed | undefined, path: Segment[]): unknown {
  const node = doc?.getIn(path, true);
  return isScalar(node) ? node.value : undefined;
}

function pathOf(ancestors: readonly unknown[], pair: Pair): Segment[] {
  const path: Segment[] = [];
  for (let i = 0; i < ancestors.length; i++) {
    const a = ancestors[i];
    const next = ancestors[i + 1] ?? pair;
    if (isSeq(a)) path.push(a.items.indexOf(next));
    else if ((a as Pair)?.key !== undefined && isScalar((a as Pair).key) && next === (a as Pair).value) {
      path.push(String(((a as Pair).key as Scalar).value));
    }
  }
  path.push(String((pair.key as Scalar).value));
  return path;
}

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
    visit(doc, {
      Pair(_, pair, ancestors) {
        const p = pair as Pair;
        if (!isScalar(p.key) || !isScalar(p.value) || p.value.value !== REDACTED || !p.value.range) return;
        const path = pathOf(ancestors, p);
        const now = scalarAt(original, path);
        // A marker already in `to` (an unresolved redacted edit) says nothing about a change.
        if (now === REDACTED) return;
        if (scalarAt(before, path) !== now) {
          changedSecrets.push(formatPath(document, redactedDocs.length, path));
          marks.push(p.value.range[1]);
        }
      },
    });
  });
  let toYaml = redactedTo;
  for (const at of marks.sort((a, b) => b - a)) toYaml = `${toYaml.slice(0, at)} ${SECRET_CHANGED_MARK}${toYaml.slice(at)}`;
  const unchanged = fromYaml === toYaml;
  const diff = unchanged
    ? ""
    : createTwoFilesPatch(labels.from, labels.to, fromYaml, toYaml, undefined, undefined, {
        context: 3,
        headerOptions: { includeIndex: false, includeUnderline: false, includeFileHeaders: true },
      });
  return { diff, unchanged, changedSecrets, fromYaml, toYaml };
}
