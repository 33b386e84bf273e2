/**
 * No import cycles, between files or between folders (lib/server/fleet ↔ lib/server/certs was
 * one): a cycle means neither side can be understood, tested or moved without the other.
 */
import { describe, expect, it } from "vitest";

import { buildImportGraph, findCycles, folderGraph, importsBetween } from "./source-graph";

const graph = buildImportGraph();

describe("import graph", () => {
  it("sees the project's sources (the walker and resolver work)", () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get("app/api/[...path]/route.ts")).toEqual(expect.arrayContaining([expect.stringMatching(/^lib\/server\//)]));
  });

  it("has no cycle between files", () => {
    const cycles = findCycles(graph).map((c) => c.join(" ⇄ "));
    expect(cycles, "files that import each other, directly or through others").toEqual([]);
  });

  it("has no cycle between folders (feature folders of lib/server and lib, components/*, app, test…)", () => {
    const cycles = findCycles(folderGraph(graph)).map((folders) => ({ folders, imports: importsBetween(graph, folders) }));
    expect(cycles, "folders that import each other; the imports that close each cycle are listed").toEqual([]);
  });
});
