import { describe, expect, it } from "vitest";

import type { ManifestNode } from "./schema";
import { globMatch, selects } from "./select";

/** The glob as a regex, built only here in the test, as the reference to compare against. */
const reference = (glob: string, text: string) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]")}$`).test(text);

describe("globMatch", () => {
  it("matches * (any run, none included), ? (one character) and literals", () => {
    expect(globMatch("gpu-*", "gpu-1")).toBe(true);
    expect(globMatch("gpu-*", "gpu-")).toBe(true);
    expect(globMatch("gpu-*", "cpu-1")).toBe(false);
    expect(globMatch("w-?", "w-1")).toBe(true);
    expect(globMatch("w-?", "w-12")).toBe(false);
    expect(globMatch("w-?", "w-")).toBe(false);
    expect(globMatch("*", "")).toBe(true);
    expect(globMatch("", "")).toBe(true);
    expect(globMatch("", "a")).toBe(false);
    expect(globMatch("a*b*c", "a-x-b-y-c")).toBe(true);
    expect(globMatch("a*b*c", "a-x-c-y-b")).toBe(false);
    // Regex metacharacters are plain characters.
    expect(globMatch("node.1", "nodex1")).toBe(false);
    expect(globMatch("n[0-9]", "n[0-9]")).toBe(true);
  });

  it("agrees with a regex on every glob and text over a small alphabet", () => {
    const alphabet = ["a", "b"];
    const globAlphabet = ["a", "b", "*", "?"];
    const all = (chars: string[], max: number) => {
      let level = [""];
      const out = [""];
      for (let n = 1; n <= max; n++) {
        level = level.flatMap((s) => chars.map((c) => s + c));
        out.push(...level);
      }
      return out;
    };
    const texts = all(alphabet, 5);
    for (const glob of all(globAlphabet, 4)) for (const text of texts) expect(globMatch(glob, text), `${glob} ~ ${text}`).toBe(reference(glob, text));
  });

  it("answers pathological globs on long inputs (no backtracking blow-up)", () => {
    const long = "a".repeat(253);
    expect(globMatch("*a*a*a*a*b", long)).toBe(false);
    expect(globMatch("*a*a*a*a*a", long)).toBe(true);
    expect(globMatch(`${"*a".repeat(126)}*b`, long)).toBe(false);
    expect(globMatch(`${"*?".repeat(126)}`, long)).toBe(true);
    expect(globMatch(`${"?".repeat(254)}`, long)).toBe(false);
  });
});

const node = (n: Partial<ManifestNode> = {}): ManifestNode => ({ address: "10.0.0.21", hostname: "w-1", role: "worker", labels: { zone: "a", rack: "r1" }, ...n });

describe("selects", () => {
  it("takes every node without a selector or with {}", () => {
    expect(selects(undefined, node())).toBe(true);
    expect(selects({}, node())).toBe(true);
  });

  it("matches each condition: role, nodes by hostname or address, hostname glob, labels", () => {
    expect(selects({ role: "worker" }, node())).toBe(true);
    expect(selects({ role: "controlplane" }, node())).toBe(false);
    expect(selects({ nodes: ["w-1"] }, node())).toBe(true);
    expect(selects({ nodes: ["10.0.0.21"] }, node())).toBe(true);
    expect(selects({ nodes: ["w-2", "10.0.0.22"] }, node())).toBe(false);
    expect(selects({ hostname: "w-*" }, node())).toBe(true);
    expect(selects({ hostname: "cp-*" }, node())).toBe(false);
    expect(selects({ labels: { zone: "a" } }, node())).toBe(true);
    expect(selects({ labels: { zone: "a", rack: "r1" } }, node())).toBe(true);
    expect(selects({ labels: { zone: "b" } }, node())).toBe(false);
    expect(selects({ labels: { zone: "a" } }, node({ labels: undefined }))).toBe(false);
  });

  it("requires every condition given (AND)", () => {
    expect(selects({ role: "worker", hostname: "w-*", labels: { zone: "a" } }, node())).toBe(true);
    expect(selects({ role: "worker", hostname: "w-*", labels: { zone: "b" } }, node())).toBe(false);
    expect(selects({ role: "controlplane", nodes: ["w-1"] }, node())).toBe(false);
  });
});
