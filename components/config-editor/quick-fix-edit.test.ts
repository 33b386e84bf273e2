import { describe, expect, it } from "vitest";

import { issueForMarker, minimalReplacement } from "./quick-fix-edit";

function apply(text: string, r: NonNullable<ReturnType<typeof minimalReplacement>>): string {
  const lines = text.split("\n");
  const offset = (line: number, col: number) => lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + col - 1;
  return text.slice(0, offset(r.startLineNumber, r.startColumn)) + r.text + text.slice(offset(r.endLineNumber, r.endColumn));
}

describe("minimalReplacement", () => {
  it.each([
    ["a: 1\nb: 2\nc: 3\n", "a: 1\nc: 3\n---\nkind: X\n"],
    ["x\n", "x\ny\n"],
    ["one\ntwo\n", "two\n"],
    ["same", "same!"],
    ["", "new\n"],
    ["machine:\n    sysctls:\n        a: \"1\"\n    logging: {}\n", "machine:\n    logging: {}\n---\napiVersion: v1alpha1\nkind: SysctlConfig\n"],
  ])("%j → %j", (before, after) => {
    const r = minimalReplacement(before, after)!;
    expect(apply(before, r)).toBe(after);
  });

  it("spares the common start and end", () => {
    const r = minimalReplacement("a\nb\nc\nd\n", "a\nb\nX\nd\n")!;
    expect(r).toEqual({ startLineNumber: 3, startColumn: 1, endLineNumber: 3, endColumn: 2, text: "X" });
  });

  it("is null when nothing changes", () => {
    expect(minimalReplacement("a", "a")).toBeNull();
  });
});

describe("issueForMarker", () => {
  const issue = { severity: "warning" as const, message: "`sysctls` is deprecated", path: ["machine", "sysctls"], document: 0, line: 3, column: 5, endLine: 3, endColumn: 12 };
  it("finds the issue by range and message", () => {
    expect(issueForMarker([issue], { startLineNumber: 3, startColumn: 5, endLineNumber: 3, endColumn: 12, message: issue.message })).toBe(issue);
    expect(issueForMarker([issue], { startLineNumber: 3, startColumn: 5, endLineNumber: 3, endColumn: 12, message: "other" })).toBeUndefined();
  });
});
