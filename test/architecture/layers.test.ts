/**
 * The simulator and the test harnesses depend on the product, never the other way round: product
 * code (app, components, lib outside lib/simulator, proxy.ts, instrumentation.ts) imports neither
 * lib/simulator nor test/. Tests, benches, e2e and dev scripts may use both.
 */
import { describe, expect, it } from "vitest";

import { buildImportGraph, isTestFile } from "./source-graph";

const graph = buildImportGraph();
const isProduct = (file: string) => !isTestFile(file) && !/^(?:lib\/simulator|test|e2e|scripts)\//.test(file) && !/\.config\.[cm]?ts$/.test(file);

function importsOf(prefix: string): string[] {
  const out: string[] = [];
  for (const [file, deps] of graph) {
    if (!isProduct(file)) continue;
    for (const dep of deps) if (dep.startsWith(prefix)) out.push(`${file} → ${dep}`);
  }
  return out.sort();
}

describe("layers", () => {
  it("product code does not import the simulator", () => {
    expect(importsOf("lib/simulator/"), "move what both need to lib/talos").toEqual([]);
  });

  it("product code does not import test harnesses", () => {
    expect(importsOf("test/")).toEqual([]);
  });
});
