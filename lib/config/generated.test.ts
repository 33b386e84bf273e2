/** The configs Minos generates (`talosctl gen config`'s, also the simulator's nodes') must pass our validator. */
import { beforeAll, describe, expect, it } from "vitest";

import { buildConfigTemplate, renderNodeConfig } from "@/lib/talos/generate/template";
import { generateSecretsBundle, type SecretsBundle } from "@/lib/talos/secrets/bundle";

import { TALOS_MINORS } from "./types";
import { validateConfig } from "./validate";

let secrets: SecretsBundle;

beforeAll(async () => {
  secrets = await generateSecretsBundle({ talosVersion: "1.14" });
}, 60_000);

const cases = TALOS_MINORS.flatMap((minor) => (["controlplane", "worker"] as const).map((role) => ({ minor, role })));

describe("generated configs validate", () => {
  it.each(cases)("Talos $minor $role: no errors in any mode, no warnings by default", ({ minor, role }) => {
    const template = buildConfigTemplate({ clusterName: "sim", endpoint: "https://10.5.0.2:6443", kubernetesVersion: "1.33.0", talosVersion: minor, secrets }, role);
    const yaml = renderNodeConfig(template, { address: "10.5.0.3", hostname: `${role}-1` });
    expect(validateConfig(yaml, { talosVersion: minor }).issues).toEqual([]);
    for (const mode of ["metal", "cloud", "container"] as const) {
      const r = validateConfig(yaml, { talosVersion: minor, mode });
      expect(r.issues.filter((i) => i.severity === "error"), `mode ${mode}`).toEqual([]);
      expect(r.valid).toBe(true);
    }
  });
});
