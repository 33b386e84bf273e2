/**
 * The simulator and the test harnesses depend on the product, never the other way round: product
 * code (app, components, lib outside lib/simulator, proxy.ts, instrumentation.ts) imports neither
 * lib/simulator nor test/. Tests, benches, e2e and dev scripts may use both. And a helper only
 * tests use belongs in test/, not beside product code.
 */
import { describe, expect, it } from "vitest";

import { buildImportGraph, isTestFile } from "./source-graph";

const graph = buildImportGraph();
// The test runners' configs belong to the tests; next.config.ts is product.
const isProduct = (file: string) => !isTestFile(file) && !/^(?:lib\/simulator|test|e2e|scripts)\//.test(file) && !/^(?:vitest|playwright)\.config\.[cm]?ts$/.test(file);

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

/** The simulator is a program of its own: what it alone imports (lib/talos) is not test scaffolding. */
const isSimulator = (file: string) => file.startsWith("lib/simulator/") && !isTestFile(file);

describe("test scaffolding", () => {
  it("lives in test/: no module under lib/ or components/ is imported by tests alone", () => {
    const importers = new Map<string, string[]>();
    for (const [file, deps] of graph) for (const dep of deps) importers.set(dep, [...(importers.get(dep) ?? []), file]);
    // app/ holds Next entry points (routes, pages) that only Next and tests import; the simulator
    // is a program that tests and scripts start.
    const helpers = [...importers]
      .filter(([file, by]) => /^(?:lib|components)\//.test(file) && !file.startsWith("lib/simulator/") && !by.some((f) => isProduct(f) || isSimulator(f)))
      .map(([file, by]) => `${file} (imported by ${by.sort().join(", ")})`);
    expect(helpers.sort(), "move these to test/").toEqual([]);
  });
});
