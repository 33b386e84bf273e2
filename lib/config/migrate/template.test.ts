/** Minos's current 1.14 template (the single-document layout) migrates to a config with no deprecation. */
import { beforeAll, describe, expect, it } from "vitest";

import { validateConfig } from "@/lib/config";
import { buildConfigTemplate, renderNodeConfig } from "@/lib/talos/generate/config";
import { generateClusterSecrets, type ClusterSecrets } from "@/lib/talos/generate/secrets";
import { createCa, type CertAndKey } from "@/lib/talos/pki";

import { migrateConfig } from ".";

let secrets: ClusterSecrets;
let osCa: CertAndKey;

beforeAll(async () => {
  [secrets, osCa] = await Promise.all([generateClusterSecrets(), createCa({ organization: "talos", commonName: "talos" })]);
}, 60_000);

describe("the 1.14 template, migrated", () => {
  it.each(["controlplane", "worker"] as const)("%s: zero errors, zero deprecation warnings, nothing to decide", (role) => {
    const template = buildConfigTemplate({
      role,
      clusterName: "sim",
      controlPlaneEndpoint: "https://10.5.0.2:6443",
      controlPlaneHost: "10.5.0.2",
      talosVersion: "1.14.0",
      kubernetesVersion: "1.35.1",
      osCa,
      secrets,
    });
    const yaml = renderNodeConfig(template, { hostname: `${role}-1`, address: "10.5.0.3" });
    const before = validateConfig(yaml, { talosVersion: "1.14" }).issues;
    expect(before.filter((i) => /deprecated/.test(i.message)).length).toBeGreaterThan(10);
    const r = migrateConfig(yaml, { to: "1.14" });
    expect(r.decisions).toEqual([]);
    const after = validateConfig(r.yaml, { talosVersion: "1.14" }).issues;
    expect(after.filter((i) => i.severity === "error")).toEqual([]);
    expect(after.filter((i) => i.severity === "warning")).toEqual([]);
  });
});
