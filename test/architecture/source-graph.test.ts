import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { buildImportGraph, findCycles, folderGraph, folderOf, generatedPatterns, importSpecifiers, importsBetween, isGenerated, lineCount, resolveSpecifier } from "./source-graph";

describe("importSpecifiers", () => {
  it("finds static, type-only, re-export, side-effect, dynamic and require imports, never comments or strings", () => {
    const src = [
      `import a from "./a";`,
      `import type { B } from "@/lib/b";`,
      `export { c } from "../c";`,
      `export * from "./d";`,
      `import "server-only";`,
      `const e = await import("./e");`,
      `const f = require("./f");`,
      `// import g from "./g";`,
      `/* import h from "./h"; */`,
      `const s = 'import i from "./i"';`,
    ].join("\n");
    expect(importSpecifiers(src)).toEqual(["./a", "@/lib/b", "../c", "./d", "server-only", "./e", "./f"]);
  });
});

describe("resolveSpecifier", () => {
  const files = new Set(["lib/x/a.ts", "lib/x/b.tsx", "lib/x/dir/index.ts", "lib/y.ts", "test/z.mjs", "lib/x/data.json"]);
  it.each([
    ["./b", "lib/x/a.ts", "lib/x/b.tsx"],
    ["./dir", "lib/x/a.ts", "lib/x/dir/index.ts"],
    ["../y", "lib/x/a.ts", "lib/y.ts"],
    ["../y.js", "lib/x/a.ts", "lib/y.ts"],
    ["@/lib/x/a", "app/page.tsx", "lib/x/a.ts"],
    ["@/test/z.mjs", "lib/x/a.ts", "test/z.mjs"],
    ["./data.json", "lib/x/a.ts", "lib/x/data.json"],
    [".", "lib/x/dir/other.ts", "lib/x/dir/index.ts"],
  ])("%s from %s is %s", (spec, from, want) => {
    expect(resolveSpecifier(spec, from, files)).toBe(want);
  });
  it("leaves packages and missing paths out", () => {
    expect(resolveSpecifier("zod", "lib/x/a.ts", files)).toBeNull();
    expect(resolveSpecifier("node:fs", "lib/x/a.ts", files)).toBeNull();
    expect(resolveSpecifier("./missing", "lib/x/a.ts", files)).toBeNull();
  });
});

describe("findCycles", () => {
  it("is empty for a graph without cycles", () => {
    expect(findCycles(new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]]))).toEqual([]);
  });
  it("finds each cycle once, with all its members, and self-imports", () => {
    const g = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", ["e"]],
      ["e", ["d"]],
      ["f", ["f"]],
      ["g", ["a"]],
    ]);
    expect(findCycles(g)).toEqual([["a", "b", "c"], ["d", "e"], ["f"]]);
  });
  it("handles a long chain without overflowing the stack", () => {
    const n = 50_000;
    const g = new Map(Array.from({ length: n }, (_, i) => [`n${i}`, [`n${(i + 1) % n}`]] as [string, string[]]));
    const cycles = findCycles(g);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(n);
  });
});

describe("folderOf", () => {
  it.each([
    ["lib/server/fleet/poller.ts", "lib/server/fleet"],
    ["lib/server/fleet/sub/x.ts", "lib/server/fleet"],
    ["lib/server/runtime.ts", "lib/server"],
    ["lib/config/rules/index.ts", "lib/config"],
    ["lib/utils.ts", "lib"],
    ["components/fleet/node-table.tsx", "components/fleet"],
    ["app/api/nodes/route.ts", "app"],
    ["test/talos/fleet.ts", "test"],
    ["proxy.ts", "."],
  ])("%s is in %s", (file, folder) => {
    expect(folderOf(file)).toBe(folder);
  });
});

describe("on a small tree", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "minos-graph-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  write("lib/server/fleet/poller.ts", `import { scan } from "@/lib/server/certs/scan";\nexport const poll = 1;\n`);
  write("lib/server/certs/scan.ts", `import type { X } from "../fleet/types";\nimport { poll } from "../fleet/poller";\nexport const scan = 1;\n`);
  // A test importing a harness that imports the code back is no folder cycle.
  write("lib/server/certs/scan.test.ts", `import { harness } from "@/test/harness";\n`);
  write("lib/version.ts", `import pkg from "../package.json";\n`);
  write("package.json", "{}\n");
  write("proxy.ts", `import "@/lib/version";\n`);
  write("test/harness.ts", `import { scan } from "@/lib/server/certs/scan";\nexport const harness = 1;\n`);
  write("lib/server/fleet/types.ts", `export type X = 1;\n`);
  write("node_modules/pkg/index.ts", `import "../../lib/server/fleet/poller";\n`);
  write(".next/server/x.ts", `import "../../lib/server/fleet/poller";\n`);
  write(".gitattributes", "# stubs\nlib/gen/** linguist-generated=true\n*.pb.ts linguist-generated\nother/** -linguist-generated\n");

  it("builds the graph from the sources only, and sees file and folder cycles but not through tests", () => {
    const graph = buildImportGraph(root);
    expect([...graph.keys()].sort()).toEqual(["lib/server/certs/scan.test.ts", "lib/server/certs/scan.ts", "lib/server/fleet/poller.ts", "lib/server/fleet/types.ts", "lib/version.ts", "proxy.ts", "test/harness.ts"]);
    expect(findCycles(graph)).toEqual([["lib/server/certs/scan.ts", "lib/server/fleet/poller.ts"]]);
    // lib/version.ts reading package.json is no lib → "." edge: a data file imports nothing.
    const folders = findCycles(folderGraph(graph));
    expect(folders).toEqual([["lib/server/certs", "lib/server/fleet"]]);
    expect(importsBetween(graph, folders[0]!)).toEqual([
      "lib/server/certs → lib/server/fleet: lib/server/certs/scan.ts → lib/server/fleet/poller.ts (+1)",
      "lib/server/fleet → lib/server/certs: lib/server/fleet/poller.ts → lib/server/certs/scan.ts",
    ]);
  });

  it("tells generated and vendored files from hand-written ones", () => {
    const patterns = generatedPatterns(root);
    expect(isGenerated("lib/gen/machine/machine.ts", "", patterns)).toBe(true);
    expect(isGenerated("lib/x/y.pb.ts", "", patterns)).toBe(true);
    expect(isGenerated("other/big.ts", "", patterns)).toBe(false);
    expect(isGenerated("lib/third_party/talos-proto/protos/machine.proto", "syntax", patterns)).toBe(true);
    expect(isGenerated("lib/x/stub.ts", "// Code generated by protoc-gen-ts_proto. DO NOT EDIT.\n", patterns)).toBe(true);
    expect(isGenerated("lib/x/hand.ts", "// Hand-written: do not edit the generated code by hand.\n", patterns)).toBe(false);
  });
});

describe("lineCount", () => {
  it.each([["", 0], ["a", 1], ["a\n", 1], ["a\nb", 2], ["a\nb\n", 2], ["\n\n", 2]])("%j has %d lines", (text, n) => {
    expect(lineCount(text)).toBe(n);
  });
});
