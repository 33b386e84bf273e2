/**
 * Pure helpers behind the editor's quick fixes and the migrate action (no Monaco import, so they
 * are tested in node): the smallest replacement turning one text into another, and which config
 * issue a Monaco marker stands for.
 */
import type { ConfigIssue } from "@/lib/config/types";

/** A replacement of the text between two 1-based positions (end exclusive). */
export interface TextReplacement {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
  text: string;
}

function position(text: string, offset: number): { lineNumber: number; column: number } {
  let lineNumber = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    lineNumber++;
    lineStart = i + 1;
  }
  return { lineNumber, column: offset - lineStart + 1 };
}

/**
 * The one edit from `before` to `after` that spares their common start and end, so the cursor,
 * folds and the undo step stay local to what the fix changed. null when nothing changes.
 */
export function minimalReplacement(before: string, after: string): TextReplacement | null {
  if (before === after) return null;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  const from = position(before, start);
  const to = position(before, before.length - end);
  return { startLineNumber: from.lineNumber, startColumn: from.column, endLineNumber: to.lineNumber, endColumn: to.column, text: after.slice(start, after.length - end) };
}

/** The issue a marker was made from: same range and message (markers carry no path). */
export function issueForMarker(
  issues: readonly ConfigIssue[],
  marker: { startLineNumber: number; startColumn: number; endLineNumber: number; endColumn: number; message: string },
): ConfigIssue | undefined {
  return issues.find(
    (i) => i.line === marker.startLineNumber && i.column === marker.startColumn && i.endLine === marker.endLineNumber && i.endColumn === marker.endColumn && i.message === marker.message,
  );
}
