import { describe, expect, it } from "vitest";

import type { ManifestNode } from "./schema";
import { manifestSchema } from "./schema";
import { globMatch, patchingBytes, selectionTable, selects, type GlobHits } from "./select";

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

/** The glob by the textbook dynamic programme (a regex would backtrack for minutes on these). */
function table(glob: string, text: string): boolean {
  let row = [true];
  for (let j = 1; j <= glob.length; j++) row[j] = row[j - 1]! && glob[j - 1] === "*";
  for (let i = 1; i <= text.length; i++) {
    const next = [false];
    for (let j = 1; j <= glob.length; j++) {
      const g = glob[j - 1];
      next[j] = g === "*" ? next[j - 1]! || row[j]! : (g === "?" || g === text[i - 1]) && row[j - 1]!;
    }
    row = next;
  }
  return row[glob.length]!;
}

describe("globMatch past one machine word", () => {
  it("agrees with a regex on random globs up to 100 characters (several 32-bit words)", () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const pick = (chars: string, n: number) => Array.from({ length: n }, () => chars[rand(chars.length)]).join("");
    for (let k = 0; k < 3000; k++) {
      const text = pick("ab", rand(120));
      // Globs built from the text (so they often match) or at random.
      const glob = k % 2 === 0 ? [...text].map((c) => (rand(6) === 0 ? "*" : rand(6) === 0 ? "?" : c)).join("").slice(0, rand(100) + 1) + (rand(2) ? "*" : "") : pick("ab*?", rand(100));
      expect(globMatch(glob, text), `${glob} ~ ${text}`).toBe(table(glob, text));
    }
  });

  it("matches characters outside ASCII literally and with ?", () => {
    expect(globMatch("wé-*", "wé-1")).toBe(true);
    expect(globMatch("w?-*", "wé-1")).toBe(true);
    expect(globMatch("wé-*", "we-1")).toBe(false);
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

describe("selectionTable and patchingBytes", () => {
  const m = manifestSchema.parse({
    cluster: { name: "c", endpoint: "https://1.2.3.4:6443", talosVersion: "v1.13.9", kubernetesVersion: "v1.33.2" },
    patches: [
      { name: "all", patch: "machine: {}\n" },
      { name: "w", selector: { hostname: "w-*" }, patch: "machine: {sysctls: {a: '1'}}\n" },
      { name: "w again", selector: { hostname: "w-*", role: "worker" }, patch: "x: 1\n" },
      { name: "by name", selector: { nodes: ["10.0.0.1", "w-2"] }, patch: "y: 1\n" },
    ],
    nodes: [
      { address: "10.0.0.1", hostname: "cp-1", role: "controlplane" },
      { address: "10.0.0.2", hostname: "w-1", role: "worker", patch: "z: 1\n" },
      { address: "10.0.0.3", hostname: "w-2", role: "worker" },
    ],
  });

  it("selects per node once, each glob matched once per node", () => {
    const hits: GlobHits = new Map();
    const table = selectionTable(m, hits);
    expect(table).toEqual([[0, 3], [0, 1, 2], [0, 1, 2, 3]]);
    // Two patches share the glob: one row, one result per node.
    expect([...hits.keys()]).toEqual(["w-*"]);
    expect(hits.get("w-*")).toEqual([false, true, true]);
  });

  it("sums the patch bytes each node gets", () => {
    const sizes = m.patches!.map((p) => p.patch.length);
    const own = m.nodes[1]!.patch!.length;
    expect(patchingBytes(m, selectionTable(m))).toBe(sizes[0]! + sizes[3]! + (sizes[0]! + sizes[1]! + sizes[2]! + own) + (sizes[0]! + sizes[1]! + sizes[2]! + sizes[3]!));
  });
});

describe("the selector schema", () => {
  it("caps a hostname glob at 63 characters", () => {
    const base = { cluster: { name: "c", endpoint: "https://1.2.3.4:6443", talosVersion: "v1.13.9", kubernetesVersion: "v1.33.2" }, nodes: [{ address: "a", hostname: "a", role: "worker" }] };
    const withGlob = (hostname: string) => manifestSchema.safeParse({ ...base, patches: [{ name: "p", selector: { hostname }, patch: "a: 1\n" }] }).success;
    expect(withGlob(`${"*a".repeat(31)}b`)).toBe(true);
    expect(withGlob(`${"*a".repeat(31)}bb`)).toBe(false);
  });
});
