/** The simulator's `talosctl gen config` stand-in must produce configs our validator accepts. */
import { beforeAll, describe, expect, it } from "vitest";

import { buildConfigTemplate, renderNodeConfig } from "@/lib/talos/generate/config";
import { generateClusterSecrets, type ClusterSecrets } from "@/lib/talos/generate/secrets";
import { createCa, type CertAndKey } from "@/lib/talos/pki";

import { TALOS_MINORS } from "./types";
import { validateConfig } from "./validate";

let secrets: ClusterSecrets;
let osCa: CertAndKey;

beforeAll(async () => {
  [secrets, osCa] = await Promise.all([generateClusterSecrets(), createCa({ organization: "talos", commonName: "talos" })]);
}, 60_000);

const cases = TALOS_MINORS.flatMap((minor) => (["controlplane", "worker"] as const).map((role) => ({ minor, role })));

describe("simulator configs validate", () => {
  it.each(cases)("Talos $minor $role: no errors in any mode", ({ minor, role }) => {
    const template = buildConfigTemplate({
      role,
      clusterName: "sim",
      controlPlaneEndpoint: "https://10.5.0.2:6443",
      controlPlaneHost: "10.5.0.2",
      talosVersion: `${minor}.0`,
      kubernetesVersion: "1.33.0",
      osCa,
      secrets,
    });
    const yaml = renderNodeConfig(template, { hostname: `${role}-1`, address: "10.5.0.3" });
    for (const mode of [undefined, "metal", "cloud", "container"] as const) {
      const r = validateConfig(yaml, { talosVersion: minor, mode });
      expect(r.issues.filter((i) => i.severity === "error"), `mode ${mode}`).toEqual([]);
      expect(r.valid).toBe(true);
    }
  });
});
