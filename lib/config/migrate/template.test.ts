/**
 * A config in the legacy layout, as `talosctl gen config --talos-version 1.13` writes it, moves
 * to the 1.14 layout with nothing left to decide, and then validates for 1.14 without a single
 * deprecation warning.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { validateConfig } from "@/lib/config/validate";
import { generateMachineConfig } from "@/lib/talos/generate";
import { parseSecretsBundle } from "@/lib/talos/secrets/bundle";

import { migrateConfig } from ".";

const secretsPath = path.join(__dirname, "../../talos/generate/testdata/secrets.yaml");
const secrets = parseSecretsBundle(readFileSync(secretsPath, "utf8"), "secrets.yaml");

describe("the 1.13 layout, migrated to 1.14", () => {
  it.each(["controlplane", "worker"] as const)("%s: zero errors, zero deprecation warnings, nothing to decide", (role) => {
    const yaml = generateMachineConfig(
      { clusterName: "sim", endpoint: "https://10.5.0.2:6443", kubernetesVersion: "1.35.1", talosVersion: "1.13", secrets, additionalSans: ["10.5.0.3"] },
      role,
    );
    const before = validateConfig(yaml, { talosVersion: "1.14" }).issues;
    expect(before.filter((i) => /deprecated/.test(i.message)).length).toBeGreaterThan(10);
    const r = migrateConfig(yaml, { to: "1.14" });
    expect(r.decisions).toEqual([]);
    const after = validateConfig(r.yaml, { talosVersion: "1.14" }).issues;
    expect(after.filter((i) => i.severity === "error")).toEqual([]);
    expect(after.filter((i) => i.severity === "warning")).toEqual([]);
  });
});
