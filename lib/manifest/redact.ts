/**
 * Redaction of cluster manifests for anyone but an admin, and the merge that puts the stored
 * secret values back into a redacted manifest sent back (an edit, a plan, the CLI). Only patch
 * strings hold secrets (the manifest's other keys are generation inputs, hostnames, labels):
 * each patch string, shared or a node's own, is redacted as a config is (lib/config/redact.ts),
 * and a JSON patch's operation values by the path they target (`/machine/token`,
 * `/machine/registries/config`…). The rest of the manifest stays byte for byte: each changed
 * patch string is rewritten in place, in its own style (a literal block stays a literal block).
 * Isomorphic and pure.
 */
import { isMap, isScalar, isSeq, Scalar, type Document, type Node as YamlNode } from "yaml";

import { markedScalars, mergeSecrets, REDACTED, redactConfig } from "@/lib/config/redact";
import { indexPaths, LineIndex, pathKey, splice, trailingSpace, type PathSegment } from "@/lib/config/redaction/yaml-source";
import { replacePieces, secretPieces } from "@/lib/config/secret-values";
import type { ManifestIssue } from "@/lib/schemas/manifests";

import { ALIASES_MESSAGE, aliasOffsets, hasAliases, issueAt, parseManifest, patchOrigin, sortIssues } from "./parse";
import { documentsOf, jsonPatchOperations, jsonPatchRedactions, REDACTED_SOURCE } from "./secrets";

export { patchSecrets, scrubIssues } from "./secrets";

// ---- one patch string ----

/**
 * A patch string with its secrets replaced by `******`, as a config's would be. One holding an
 * anchor or alias is redacted whole: a value anchored at a public path and aliased at a secret
 * one (or the reverse) cannot be redacted at one place only.
 */
export function redactPatch(text: string): string {
  if (hasAliases(text)) return REDACTED;
  const json = jsonPatchRedactions(text);
  const marked = json && json.size > 0 ? splice(text, [...json.values()]) : text;
  return redactConfig(marked);
}

export interface PatchMerge {
  text: string;
  /** 1-based places, in the edited patch text, of markers with no stored value to put back. */
  unresolved: { line: number; column: number }[];
  /** Why nothing was put back at all: the edited patch holds an anchor or alias. */
  aliases?: boolean;
}

/**
 * The stored patch's secrets put back into an edited, redacted patch string, by the config
 * rules (lib/config/redaction/merge.ts). Never into a patch with an anchor or alias (a restored
 * `&x '******'` would be readable through `*x` at a path nobody redacts), and a JSON patch's
 * value only into the operation it was taken from (same index, `op` and `path`: else it would
 * be written wherever the editor points it).
 */
export function mergePatchSecrets(edited: string, stored: string | undefined): PatchMerge {
  if (stored === undefined) return { text: edited, unresolved: unresolvedMarkers(edited, edited) };
  if (hasAliases(edited)) return { text: edited, unresolved: unresolvedMarkers(edited, edited), aliases: true };
  const storedOps = jsonPatchOperations(stored);
  const editedOps = storedOps ? jsonPatchOperations(edited) : null;
  const sameOperation = (path: readonly PathSegment[]) => typeof path[0] === "number" && editedOps !== null && editedOps[path[0]] !== undefined && editedOps[path[0]] === storedOps?.[path[0]];

  // Markers of a JSON patch outside their own operation: held out of the merge, put back as they were.
  let input = edited;
  const held = new Map<string, string>();
  if (storedOps) {
    const doc = documentsOf(edited)[0];
    const edits: { start: number; end: number; text: string }[] = [];
    let nonce = 0;
    while (edited.includes(`minos-held-${nonce}-`)) nonce++;
    for (const { node, path } of doc && doc.errors.length === 0 ? markedScalars(doc) : []) {
      if (sameOperation(path)) continue;
      const [start, end] = node.range!;
      const stop = end - trailingSpace(edited.slice(start, end)).length;
      const token = `minos-held-${nonce}-${held.size}`;
      held.set(token, edited.slice(start, stop));
      edits.push({ start, end: stop, text: token });
    }
    if (edits.length > 0) input = splice(edited, edits);
  }

  let text = mergeSecrets(input, stored).yaml;
  // JSON patch values redacted by their target path: put back by their place in the same operation.
  const json = jsonPatchRedactions(stored);
  if (json && json.size > 0) {
    const docs = documentsOf(text);
    const lines = new LineIndex(text);
    const edits: { start: number; end: number; text: string }[] = [];
    if (docs.length === 1 && docs[0]!.errors.length === 0) {
      for (const { node, path } of markedScalars(docs[0]!)) {
        const spot = json.get(pathKey(path));
        if (!spot || node.value !== REDACTED || !node.range || !sameOperation(path) || editedOps![path[0] as number] !== spot.operation) continue;
        const [start, end] = node.range;
        const stop = end - trailingSpace(text.slice(start, end)).length;
        if (!spot.fromLineStart) edits.push({ start, end: stop, text: spot.source });
        else if (/^\s*$/.test(text.slice(lines.lineStart(start), start))) edits.push({ start: lines.lineStart(start), end: stop, text: spot.source });
      }
    }
    if (edits.length > 0) text = splice(text, edits);
  }
  for (const [token, source] of held) text = text.split(token).join(source);
  return { text, unresolved: unresolvedMarkers(edited, text) };
}

/** Places in `edited` of the markers still in `merged` (matched by document and path). */
function unresolvedMarkers(edited: string, merged: string): { line: number; column: number }[] {
  if (!merged.includes(REDACTED)) return [];
  const mergedDocs = documentsOf(merged);
  const editedDocs = documentsOf(edited);
  const lc = new LineIndex(edited);
  const out: { line: number; column: number }[] = [];
  mergedDocs.forEach((doc, d) => {
    const target = editedDocs[d];
    for (const { node, path } of markedScalars(doc)) {
      const at = (target?.getIn(path, true) as YamlNode | undefined)?.range?.[0] ?? node.range?.[0] ?? 0;
      out.push({ line: lc.line(at) + 1, column: lc.column(at) + 1 });
    }
  });
  // A marker the YAML reader cannot see as a value (a broken patch): its first occurrence.
  if (out.length === 0) {
    const at = edited.indexOf(REDACTED);
    if (at >= 0) out.push({ line: lc.line(at) + 1, column: lc.column(at) + 1 });
  }
  return out;
}

// ---- the manifest ----

interface PatchSlot {
  path: PathSegment[];
  node: Scalar;
  /** The patch's name (shared) or its node's address (a node's own). */
  owner: { kind: "patch" | "node"; key: string };
}

/** The patch strings of a manifest document, shared then nodes', with who owns each. */
function patchSlots(doc: Document): PatchSlot[] {
  const out: PatchSlot[] = [];
  for (const [list, kind, keyName] of [
    ["patches", "patch", "name"],
    ["nodes", "node", "address"],
  ] as const) {
    const seq = doc.get(list, true);
    if (!isSeq(seq)) continue;
    seq.items.forEach((item, i) => {
      if (!isMap(item)) return;
      const node = item.get("patch", true);
      const key = item.get(keyName);
      if (isScalar(node) && typeof node.value === "string" && node.range) out.push({ path: [list, i, "patch"], node: node as Scalar, owner: { kind, key: typeof key === "string" ? key : String(key ?? "") } });
    });
  }
  return out;
}

/** The block's content indentation: its first non-empty line's leading spaces minus the value's own. */
function blockIndent(text: string, node: Scalar): number | null {
  const lines = new LineIndex(text);
  const header = lines.line(node.range![0]);
  const value = String(node.value).split("\n");
  const k = value.findIndex((l) => l.trim() !== "");
  if (k < 0) return null;
  const lead = (s: string) => /^ */.exec(s)![0].length;
  const indent = lead(lines.lineText(header + 1 + k).replace(/\r$/, "")) - lead(value[k]!);
  return indent > 0 ? indent : null;
}

/** The new source of a patch scalar holding `value`, in the scalar's own style when it can. */
function scalarSource(text: string, node: Scalar, value: string, literal: boolean): string {
  const src = text.slice(node.range![0], node.range![1]);
  const body = src.slice(0, src.length - trailingSpace(src).length);
  const tail = src.slice(body.length);
  if (literal && node.type === Scalar.BLOCK_LITERAL) {
    const indent = blockIndent(text, node);
    const nl = src.indexOf("\n");
    if (indent !== null && nl > 0) {
      const lines = value.split("\n");
      while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
      return `${src.slice(0, nl)}\n${lines.map((l) => (l === "" ? "" : " ".repeat(indent) + l)).join("\n")}${tail}`;
    }
  }
  if (literal && node.type === Scalar.QUOTE_SINGLE && !value.includes("\n")) return `'${value.replace(/'/g, "''")}'${tail}`;
  return JSON.stringify(value) + tail;
}

/**
 * `text` with each slot's scalar replaced by its new value, the rest byte for byte. Each
 * rewrite is checked by reading the result back; one that reads differently (an unusual block
 * header) is written as a double-quoted string instead.
 */
function rewrite(text: string, changes: { slot: PatchSlot; value: string }[]): string {
  if (changes.length === 0) return text;
  const build = (plain: Set<number>) =>
    splice(
      text,
      changes.map((c, i) => ({ start: c.slot.node.range![0], end: c.slot.node.range![1], text: scalarSource(text, c.slot.node, c.value, !plain.has(i)) })),
    );
  const plain = new Set<number>();
  let out = build(plain);
  const back = documentsOf(out)[0];
  changes.forEach((c, i) => {
    if (back?.getIn(c.slot.path) !== c.value) plain.add(i);
  });
  if (plain.size > 0) out = build(plain);
  return out;
}

/**
 * The manifest with the secrets of every patch string redacted, everything else as written
 * (but for URL credentials and other values the config value rules call secret, redacted
 * wherever they are: the schema refuses them, this is for what was stored before). A manifest
 * whose YAML does not read, or that holds anchors or aliases (a patch could be read through an
 * alias of another key), is redacted whole rather than risk leaking part of it; a patch string
 * holding an anchor or alias, likewise (its values could be read at a path nobody redacts).
 * parseManifest refuses both, so only text stored before that meets these rules.
 */
export function redactManifest(text: string): string {
  const docs = documentsOf(text);
  if (docs.length !== 1 || docs[0]!.errors.length > 0) return docs.length === 0 ? text : REDACTED_SOURCE;
  const doc = docs[0]!;
  if (aliasOffsets([doc], 1).length > 0) return REDACTED_SOURCE;
  const changes: { slot: PatchSlot; value: string }[] = [];
  const slots = patchSlots(doc);
  for (const slot of slots) {
    const value = slot.node.value as string;
    const redacted = redactPatch(value);
    if (redacted !== value) changes.push({ slot, value: redacted });
  }
  // Defence in depth: every other string by the value rules (a mirror's https://user:pw@host).
  const inSlot = new Set<unknown>(slots.map((s) => s.node));
  const paths = new Map<unknown, PathSegment[]>();
  indexPaths(doc.contents, [], paths);
  for (const [node, path] of paths) {
    if (inSlot.has(node) || !isScalar(node) || typeof node.value !== "string" || !node.range) continue;
    const pieces = secretPieces(node.value);
    if (pieces !== "whole" && pieces.length === 0) continue;
    const value = pieces === "whole" ? REDACTED : replacePieces(node.value, pieces);
    changes.push({ slot: { path, node, owner: { kind: "patch", key: "" } }, value });
  }
  return rewrite(text, changes);
}

export type ManifestMerge = { yaml: string } | { issues: ManifestIssue[] };

/**
 * A redacted manifest sent back, with the stored manifest's secret values put back: shared
 * patches matched by name, node patches by the node's address, each by the single-config rules
 * (lib/config/redaction/merge.ts). Any `******` with nothing to put back (a new patch, a moved
 * value) is an issue on its manifest line: nothing is sent with a marker in it.
 */
export function mergeManifestSecrets(redacted: string, stored: string): ManifestMerge {
  if (!redacted.includes(REDACTED)) return { yaml: redacted };
  const parsed = parseManifest(redacted);
  const doc = parsed.doc;
  // Anchors and aliases in the manifest: a restored value could be read back through an alias.
  const aliased = parsed.issues.filter((i) => i.message === ALIASES_MESSAGE);
  if (aliased.length > 0) return { issues: aliased };
  if (!doc || doc.errors.length > 0) {
    const syntax = parsed.issues.filter((i) => i.severity === "error");
    return { issues: syntax.length > 0 ? syntax : [issueAt({ line: 1, column: 1, endLine: 1, endColumn: 1 }, "the manifest does not read as YAML")] };
  }
  const storedDocs = documentsOf(stored);
  const storedDoc = storedDocs.length === 1 && storedDocs[0]!.errors.length === 0 ? storedDocs[0] : undefined;
  const storedPatches = new Map<string, string>();
  if (storedDoc) for (const s of patchSlots(storedDoc)) storedPatches.set(`${s.owner.kind}|${s.owner.key}`, s.node.value as string);

  const issues: ManifestIssue[] = [];
  const changes: { slot: PatchSlot; value: string }[] = [];
  for (const slot of patchSlots(doc)) {
    const value = slot.node.value as string;
    if (!value.includes(REDACTED)) continue;
    const original = storedPatches.get(`${slot.owner.kind}|${slot.owner.key}`);
    const merged = mergePatchSecrets(value, original);
    if (merged.text !== value) changes.push({ slot, value: merged.text });
    if (merged.unresolved.length === 0) continue;
    const origin = patchOrigin(doc, parsed.lineCounter, slot.path);
    const who = slot.owner.kind === "patch" ? `patch "${slot.owner.key}"` : `patch for node ${slot.owner.key}`;
    const why = merged.aliases ? ALIASES_MESSAGE : original === undefined ? `the stored manifest has no ${who}` : `the stored ${who} has no secret at this place (or its operation changed)`;
    for (const u of merged.unresolved) {
      issues.push(issueAt(origin.at(u.line, u.column), `cannot restore the redacted value ${REDACTED_SOURCE}: ${why}; type the value itself`, slot.path));
    }
  }
  if (issues.length > 0) return { issues: sortIssues(issues) };
  return { yaml: rewrite(redacted, changes) };
}
