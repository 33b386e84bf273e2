import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";

import { boundResult, DEFAULT_RESULT_LIMITS } from "./bound";
import type { ConfigIssue } from "./types";
import { indexAliases, parseStream } from "./yaml";

/** Where yaml's own (quadratic) check and parseStream's report repeated keys: their start offsets. */
const dupStarts = (docs: { errors: { code: string; pos: [number, number] }[] }[]) =>
  docs.map((d) => d.errors.filter((e) => e.code === "DUPLICATE_KEY").map((e) => e.pos[0]).sort((a, b) => a - b));

describe("parseStream finds the repeated keys yaml finds", () => {
  const cases = [
    "a: 1\na: 2\n",
    "a: 1\nb: 2\na: 3\nb: 4\n",
    "1: x\n'1': y\n1.0: z\n",
    "~: a\nnull: b\n",
    "true: a\nTrue: b\n",
    ".nan: a\n.nan: b\n",
    "{a: 1, a: 2, b: {c: 1, c: 2}}\n",
    "- a: 1\n  a: 2\n- [x: 1, x: 2]\n",
    "x: &m {k: 1}\ny: *m\nx: 2\n",
    "<<: {a: 1}\n<<: {b: 2}\n",
    "? [a]\n: 1\n? [a]\n: 2\n",
    "a:\n  b: 1\n  b: 2\n---\nc: 1\nc: 1\n",
    "a: 1\n# a: 2\n'a': 3\n\"a\": 4\n",
  ];
  it.each(cases)("%j", (src) => {
    const theirs = parseAllDocuments(src, { uniqueKeys: true, merge: true }) as unknown as Parameters<typeof dupStarts>[0];
    const ours = parseStream(src, { merge: true }) as unknown as Parameters<typeof dupStarts>[0];
    expect(dupStarts(ours)).toEqual(dupStarts(theirs));
  });

  it("leaves repeated keys alone when asked to", () => {
    expect(parseStream("a: 1\na: 2\n", { uniqueKeys: false })[0]!.errors).toEqual([]);
  });
});

describe("indexAliases reads aliases as yaml does", () => {
  const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 5 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");
  const cases = [
    "a: &x 1\nb: *x\n",
    "a: &x {k: 1}\nb: *x\nc: [*x, *x]\n",
    "a: &x 1\nb: *x\na2: &x 2\nc: *x\n",
    "base: &b {k: 1, j: 2}\nderived:\n  <<: *b\n  j: 3\n",
    "m: &m {a: 1}\nn: &n {b: 2}\no:\n  <<: [*m, *n]\n",
    "outer: &o {inner: &i [1, 2], again: *i}\ncopy: *o\n",
    "? &k key\n: 1\nother: *k\n",
    "a: *missing\n",
    "a: &a [*a]\n",
    bomb,
  ];
  const read = (src: string, linear: boolean, maxAliasCount: number) => {
    const doc = parseStream(src, { merge: true })[0]!;
    if (linear) indexAliases(doc);
    try {
      return { value: JSON.stringify(doc.toJS({ maxAliasCount })) };
    } catch (e) {
      return { error: (e as Error).message };
    }
  };
  it.each(cases)("%j", (src) => {
    for (const max of [1000, 100, 2]) expect(read(src, true, max)).toEqual(read(src, false, max));
  });

  it("20,000 anchors and aliases read in linear time (yaml's own resolve: about 16 s)", () => {
    const n = 20_000;
    const src = `a:\n${Array.from({ length: n }, (_, i) => `  a${i}: &x${i} v${i}\n`).join("")}b:\n${Array.from({ length: n }, (_, i) => `  b${i}: *x${i}\n`).join("")}`;
    const doc = parseStream(src)[0]!;
    indexAliases(doc);
    const js = doc.toJS({ maxAliasCount: 1000 }) as { b: Record<string, string> };
    expect(js.b[`b${n - 1}`]).toBe(`v${n - 1}`);
  });
});

describe("boundResult", () => {
  const issue = (severity: ConfigIssue["severity"], line: number, message = "m"): ConfigIssue => ({ severity, message, path: ["machine", `k${line}`], document: 0, line, column: 1, endLine: line, endColumn: 2 });

  it("keeps everything under the limits", () => {
    const r = boundResult({ valid: false, talosVersion: "1.14", issues: [issue("error", 1), issue("warning", 2)] });
    expect(r).toMatchObject({ truncated: false, issueCount: 2 });
    expect(r.issues).toHaveLength(2);
  });

  it("keeps errors before warnings, then puts them back in source order", () => {
    const issues = [...Array.from({ length: 10 }, (_, i) => issue("warning", i + 1)), issue("error", 11), issue("error", 12)];
    const r = boundResult({ valid: false, talosVersion: "1.14", issues }, { ...DEFAULT_RESULT_LIMITS, maxIssues: 4 });
    expect(r.issues.map((i) => [i.severity, i.line])).toEqual([["warning", 1], ["warning", 2], ["error", 11], ["error", 12]]);
    expect(r).toMatchObject({ truncated: true, issueCount: 12, valid: false });
  });

  it("shortens long messages and path segments, and stops at the total size", () => {
    const long = issue("error", 1, "x".repeat(5_000));
    long.path = ["machine", "y".repeat(5_000)];
    const r = boundResult({ valid: false, talosVersion: "1.14", issues: [long] });
    expect(r.truncated).toBe(true);
    expect(r.issues[0]!.message).toHaveLength(1000);
    expect(r.issues[0]!.message.endsWith("…")).toBe(true);
    expect(String(r.issues[0]!.path[1])).toHaveLength(200);
    const many = Array.from({ length: 400 }, (_, i) => issue("error", i + 1, "z".repeat(900)));
    const capped = boundResult({ valid: false, talosVersion: "1.14", issues: many }, { ...DEFAULT_RESULT_LIMITS, maxTotalChars: 100_000 });
    expect(capped.truncated).toBe(true);
    expect(capped.issues.length).toBeLessThan(120);
    expect(capped.issues.length).toBeGreaterThan(90);
  });
});
