/**
 * Redaction of machine configs for people who must not see their secrets (the running config
 * shown to viewers, diffs, revisions), and the merge that puts the secrets back into an edited
 * redacted config before it goes to a node.
 *
 * What is secret comes from two places:
 * - the schema: every field marked `secret` in the field table (lib/config/schema/types, all
 *   minors; Talos's own `Redact` list plus credentials Talos leaves in), followed through YAML
 *   aliases and merge keys, whatever the value's shape (a list, a map, `!!binary`); free-form
 *   and unknown keys by their names (GITHUB_TOKEN, clientSecret, Authorization…);
 * - value rules on every string (lib/config/secret-values.ts): credentials inside URLs,
 *   jointoken and other secret parameters in kernel arguments and env entries, PEM private keys.
 * A comment on the lines of a secret (or the comment block right above it) is redacted whole;
 * any other comment loses what the value rules or the document's known secrets find in it.
 *
 * This module is the public face; the work is in lib/config/redaction/: plan.ts (finding the
 * secrets and planning the edits), merge.ts (merge-back), values.ts (plain parsed values),
 * yaml-source.ts (YAML positions, paths and aliases).
 */
import { isScalar, type Document, type Scalar } from "yaml";

import { plan, REDACTED_SOURCE } from "./redaction/plan";
import { documentsOf, indexPaths, markerText, type PathSegment } from "./redaction/yaml-source";

export { mergeSecrets, type MergeResult } from "./redaction/merge";
export { documentSecrets, type ValueSecret } from "./redaction/values";
export { documentKey } from "./redaction/yaml-source";
export { REDACTED } from "./secret-values";

/**
 * The config with every secret replaced by {@link REDACTED}. Everything else, comments and
 * formatting included, stays byte for byte, so a diff of two redacted configs is a true diff.
 * Unparseable YAML is returned fully redacted rather than risk leaking part of it.
 */
export function redactConfig(yaml: string): string {
  return plan(yaml)?.yaml ?? REDACTED_SOURCE;
}

/** Every secret text of a config (whole values and pieces), e.g. to scrub a node's message. */
export function configSecrets(yaml: string): string[] {
  return [...(plan(yaml)?.secrets ?? [])];
}

/** Whether the value at `path` of document `document` is (or holds) the redaction marker. */
export function isRedactedAt(yaml: string, document: number, path: PathSegment[]): boolean {
  return markerAt(documentsOf(yaml)[document], path);
}

/** Whether the value at `path` of a parsed document is (or holds) the redaction marker. */
export function markerAt(doc: Document | undefined, path: readonly PathSegment[]): boolean {
  return markerText(doc?.getIn(path, true)) !== null;
}

/** The scalars of a parsed document that are (or hold) the marker, with their own paths. */
export function markedScalars(doc: Document.Parsed): { node: Scalar; path: PathSegment[] }[] {
  const paths = new Map<unknown, PathSegment[]>();
  indexPaths(doc.contents, [], paths);
  const out: { node: Scalar; path: PathSegment[] }[] = [];
  for (const [node, path] of paths) if (isScalar(node) && node.range && markerText(node) !== null) out.push({ node, path });
  return out;
}
