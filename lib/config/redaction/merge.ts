/** Merge-back: the original secrets put back into an edited, redacted config. */
import { isScalar } from "yaml";

import { REDACTED } from "../secret-values";

import { outermost, plan } from "./plan";
import { commentTokens, documentKey, documentsOf, indexPaths, LineIndex, markerText, pathKey, splice, trailingSpace, type PathSegment } from "./yaml-source";

export interface MergeResult {
  yaml: string;
  /** Paths still holding the marker because the original had no value there. */
  unresolved: { document: number; path: PathSegment[] }[];
}

/**
 * Puts the original secret values back into an edited, redacted config before it is sent to a
 * node. A marker is matched by its document (v1alpha1, or kind and name) and path: a wholly
 * redacted value comes back as it was written (shape, tag and all); a string with redacted parts
 * (a URL's password, a jointoken) gets them back only when the text around them is the
 * original's (else `https://user:******@host` edited into a bare `******` would hand the
 * password back as a plain string). A marker with no original
 * value, or a string whose text no longer matches the original's, is reported, never sent.
 * Redacted comments come back too.
 */
export function mergeSecrets(edited: string, original: string): MergeResult {
  const source = plan(original);
  const editedDocs = documentsOf(edited);
  const lines = new LineIndex(edited);
  const byKey = new Map<string, number>();
  source?.docs.forEach((d, i) => byKey.set(documentKey(d), i));
  const edits: { start: number; end: number; text: string }[] = [];
  const unresolved: MergeResult["unresolved"] = [];

  editedDocs.forEach((doc, document) => {
    const index = byKey.get(documentKey(doc));
    const spots = index === undefined ? undefined : source?.spots[index];
    const paths = new Map<unknown, PathSegment[]>();
    indexPaths(doc.contents, [], paths);
    for (const [node, path] of paths) {
      const value = markerText(node);
      if (value === null || !isScalar(node) || !node.range) continue;
      const spot = spots?.get(pathKey(path));
      const [start, end] = node.range;
      const stop = end - trailingSpace(edited.slice(start, end)).length;
      if (spot?.whole && value === REDACTED) {
        const firstOnLine = /^\s*$/.test(edited.slice(lines.lineStart(start), start));
        if (!spot.fromLineStart) edits.push({ start, end: stop, text: spot.source });
        else if (firstOnLine) edits.push({ start: lines.lineStart(start), end: stop, text: spot.source });
        else unresolved.push({ document, path });
        continue;
      }
      if (spot && !spot.whole) {
        // Only the original's text around the markers: the value as the original's redaction wrote it.
        if (value === spot.redactedValue) {
          edits.push({ start, end: stop, text: spot.source });
          continue;
        }
        unresolved.push({ document, path });
        continue;
      }
      if (value === REDACTED) unresolved.push({ document, path });
    }
  });

  // Comments: each redacted comment of the original, met again unchanged, comes back in order.
  const queues = new Map<string, { originals: string[]; next: number }>();
  for (const c of source?.comments ?? []) {
    const q = queues.get(c.redacted) ?? { originals: [], next: 0 };
    q.originals.push(c.original);
    queues.set(c.redacted, q);
  }
  for (const c of commentTokens(edited)) {
    const q = queues.get(c.source);
    if (q && q.next < q.originals.length) edits.push({ start: c.offset, end: c.offset + c.source.length, text: q.originals[q.next++]! });
  }
  return { yaml: splice(edited, outermost(edits.map((e) => ({ ...e })))), unresolved };
}
