// Talos's v1alpha1 strategic-merge cases (v1alpha1_strategic_merge_test.go): `right` merged into
// `left` must equal `expected`. Both sides go through the same encoder, so this compares the
// merge, as Go's test compares structs.
import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { applyPatches, loadPatch } from "./index";

const dir = path.join(__dirname, "testdata/strategic");
const read = (c: string, f: string) => readFileSync(path.join(dir, c, `${f}.yaml`), "utf8");
const noop = loadPatch("version: v1alpha1\nmachine: {}\n", "noop.yaml");

describe("TestStrategicMergePatch", () => {
  it.each(["001", "002", "003", "004", "005", "006"])("case %s", (c) => {
    const merged = applyPatches(read(c, "left"), [loadPatch(read(c, "right"), `${c}/right.yaml`)]);
    expect(merged).toBe(applyPatches(read(c, "expected"), [noop]));
  });

  it("case 001 merges the endpoint URL part by part (the left's path stays)", () => {
    const merged = applyPatches(read("001", "left"), [loadPatch(read("001", "right"), "001/right.yaml")]);
    expect(merged).toContain("    controlPlane:\n        endpoint: https://10.0.0.1/\n");
    expect(merged).toContain("        podSubnets:\n            - 10.0.0.0/24\n        serviceSubnets:\n            - 192.168.0.0/24\n            - ff:08::/64\n");
  });
});
