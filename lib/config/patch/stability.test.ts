// Talos's own encoder output (v1alpha1 stability fixtures, `EncodeBytes(CommentsDisabled)` of
// generated configs for contracts 1.10–1.14, committed by lib/talos/generate)
// read and written back through the patcher: decode, merge and encode must give the same bytes.
// No skip when the fixtures are missing: a moved fixture must fail here, not pass silently.
import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { applyPatches, loadPatch } from "./index";

const dir = path.join(__dirname, "../../talos/generate/testdata/talos-stability");
const goldens = path.join(__dirname, "../../talos/generate/testdata/golden");

describe("Talos's stability outputs round-trip through the patcher", () => {
  for (const version of ["1.10", "1.11", "1.12", "1.13", "1.14"]) {
    for (const role of ["controlplane", "worker"]) {
      it(`v${version} ${role}`, () => {
        const text = readFileSync(path.join(dir, `v${version}`, `base-${role}.yaml`), "utf8");
        // A patch that changes nothing still makes Talos decode, merge and encode everything.
        expect(applyPatches(text, [loadPatch("version: v1alpha1\nmachine: {}\n", "noop.yaml")])).toBe(text);
        expect(applyPatches(text, [loadPatch("machine:\n  nodeLabels:\n    a: b\n", "label.yaml")])).toContain("    nodeLabels:\n        a: b\n");
      });
    }
  }
});

// talosctl gen config with every input flag, per contract (lib/talos/generate's goldens).
describe("the gen config goldens round-trip through the patcher", () => {
  for (const version of ["1.10", "1.11", "1.12", "1.13", "1.14"]) {
    for (const role of ["controlplane", "worker"]) {
      it(`v${version} ${role}`, () => {
        const text = readFileSync(path.join(goldens, `v${version}-${role}.yaml`), "utf8");
        expect(applyPatches(text, [loadPatch("version: v1alpha1\nmachine: {}\n", "noop.yaml")])).toBe(text);
      });
    }
  }
});
