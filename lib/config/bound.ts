/**
 * A ceiling on what a validation result may weigh. One hostile config can produce hundreds of
 * thousands of issues (an alias repeated a thousand times, each copy with a hundred unknown keys),
 * each quoting a long key or value: sending all of them would cost the server more than finding
 * them. The bounded result keeps at most {@link MAX_ISSUES} issues (errors before warnings, then
 * in source order), shortens long messages and path segments, and says whether anything was cut.
 * Isomorphic and pure.
 */
import type { ConfigIssue, ValidationResult } from "./types";

export interface ResultLimits {
  /** Issues kept. */
  maxIssues: number;
  /** Characters of one message. */
  maxMessageChars: number;
  /** Characters of one path segment, and segments of one path. */
  maxSegmentChars: number;
  maxSegments: number;
  /** About how many characters all kept issues may take together (JSON). */
  maxTotalChars: number;
}

export const MAX_ISSUES = 500;
export const DEFAULT_RESULT_LIMITS: ResultLimits = {
  maxIssues: MAX_ISSUES,
  maxMessageChars: 1000,
  maxSegmentChars: 200,
  maxSegments: 64,
  maxTotalChars: 1024 * 1024,
};

export interface BoundedValidationResult extends ValidationResult {
  /** True when issues were left out or shortened to stay under the limits. */
  truncated: boolean;
  /** How many issues the validator found (`issues.length` when nothing was left out). */
  issueCount: number;
}

const ELLIPSIS = "…";
const clip = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}${ELLIPSIS}` : s);

/** The issue shortened to the limits; `same` when nothing had to change. */
function boundIssue(issue: ConfigIssue, limits: ResultLimits): { issue: ConfigIssue; same: boolean } {
  let same = true;
  let message = issue.message;
  if (message.length > limits.maxMessageChars) {
    message = clip(message, limits.maxMessageChars);
    same = false;
  }
  let path = issue.path;
  if (path.length > limits.maxSegments || path.some((s) => typeof s === "string" && s.length > limits.maxSegmentChars)) {
    path = path.slice(0, limits.maxSegments).map((s) => (typeof s === "string" ? clip(s, limits.maxSegmentChars) : s));
    same = false;
  }
  return same ? { issue, same } : { issue: { ...issue, message, path }, same };
}

/** Rough JSON size of an issue: its strings plus a fixed overhead for the numbers and keys. */
const weight = (i: ConfigIssue): number => 120 + i.message.length + i.path.reduce<number>((n, s) => n + (typeof s === "string" ? s.length + 3 : 8), 0);

/** `result` under `limits`. `valid` still reflects every issue found, kept or not. */
export function boundResult(result: ValidationResult, limits: ResultLimits = DEFAULT_RESULT_LIMITS): BoundedValidationResult {
  const all = result.issues;
  // Errors first: a config with 10,000 warnings and one error must still show the error.
  let picked: number[];
  if (all.length <= limits.maxIssues) picked = all.map((_, i) => i);
  else {
    picked = [];
    for (let i = 0; i < all.length && picked.length < limits.maxIssues; i++) if (all[i]!.severity === "error") picked.push(i);
    for (let i = 0; i < all.length && picked.length < limits.maxIssues; i++) if (all[i]!.severity !== "error") picked.push(i);
    picked.sort((a, b) => a - b);
  }
  let truncated = picked.length < all.length;
  const issues: ConfigIssue[] = [];
  let total = 0;
  for (const i of picked) {
    const { issue, same } = boundIssue(all[i]!, limits);
    total += weight(issue);
    if (total > limits.maxTotalChars && issues.length > 0) {
      truncated = true;
      break;
    }
    if (!same) truncated = true;
    issues.push(issue);
  }
  return { valid: result.valid, talosVersion: result.talosVersion, issues, truncated, issueCount: all.length };
}
