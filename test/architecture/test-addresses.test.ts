/**
 * Every test fleet binds its own 127.0.x.y range: two files starting a fleet at the same
 * `firstAddress` collide on :50000 when vitest runs them in parallel (EADDRINUSE or, worse, one
 * file's client talking to the other file's simulator). The literal may be inline or a
 * file-level `const NAME = "127…"` passed as `firstAddress: NAME`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { listFiles, ROOT } from "./source-graph";

const INLINE = /firstAddress:\s*["'`](\d+\.\d+\.\d+\.\d+)["'`]/g;
const BY_NAME = /firstAddress:\s*([A-Za-z_$][\w$]*)\b/g;

/** The first addresses one test file starts fleets at (a file may reuse its own address). */
export function firstAddresses(source: string): Set<string> {
  const found = new Set<string>();
  for (const m of source.matchAll(INLINE)) found.add(m[1]!);
  for (const m of source.matchAll(BY_NAME)) {
    const decl = new RegExp(`const\\s+${m[1]}\\s*=\\s*["'\`](\\d+\\.\\d+\\.\\d+\\.\\d+)["'\`]`).exec(source);
    if (decl) found.add(decl[1]!);
  }
  return found;
}

describe("test addresses", () => {
  it("reads inline and named first addresses", () => {
    const src = `const CP1 = "127.0.41.1";\nstart({ firstAddress: CP1 });\nstart({ firstAddress: "127.0.9.1", workers: 1 });`;
    expect([...firstAddresses(src)].sort()).toEqual(["127.0.41.1", "127.0.9.1"]);
  });

  it("gives each test file its own firstAddress", () => {
    const owners = new Map<string, string[]>();
    // This file's own sample source above is not a fleet.
    const testFiles = listFiles().filter((f) => f.endsWith(".test.ts") && f !== "test/architecture/test-addresses.test.ts");
    for (const file of testFiles) {
      for (const address of firstAddresses(readFileSync(path.join(ROOT, file), "utf8"))) {
        owners.set(address, [...(owners.get(address) ?? []), file]);
      }
    }
    expect(owners.size).toBeGreaterThan(20);
    const shared = [...owners].filter(([, files]) => files.length > 1).map(([address, files]) => `${address}: ${files.join(", ")}`);
    expect(shared, "move one of each pair to an unused 127.0.x.1 range").toEqual([]);
  });
});
