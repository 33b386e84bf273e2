import { Ajv2020 } from "ajv/dist/2020";
import { describe, expect, it } from "vitest";

import { manifestJsonSchema } from "./json-schema";

const VALID = {
  version: 1,
  cluster: { name: "prod", endpoint: "https://10.0.0.10:6443", talosVersion: "v1.13.9", kubernetesVersion: "v1.33.2" },
  generate: { additionalSans: ["k8s.example.com"], dnsDomain: "cluster.local", installDisk: "/dev/sda" },
  patches: [{ name: "worker sysctls", selector: { role: "worker" }, patch: "machine:\n  sysctls:\n    vm.max_map_count: \"262144\"\n" }],
  nodes: [{ address: "10.0.0.11", hostname: "cp-1", role: "controlplane", labels: { zone: "a" }, patch: "machine: {}" }],
};

describe("manifestJsonSchema", () => {
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(manifestJsonSchema());

  it("accepts the issue's manifest and refuses what the zod schema refuses", () => {
    expect(validate(VALID), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...VALID, extra: 1 })).toBe(false);
    expect(validate({ ...VALID, nodes: [{ ...VALID.nodes[0], role: "master" }] })).toBe(false);
    expect(validate({ ...VALID, nodes: [{ ...VALID.nodes[0], hostname: "CP_1" }] })).toBe(false);
    expect(validate({ ...VALID, cluster: { ...VALID.cluster, endpoint: "10.0.0.10:6443" } })).toBe(false);
    expect(validate({ ...VALID, patches: [{ name: "x", selector: { zone: "a" }, patch: "" }] })).toBe(false);
  });

  it("carries the descriptions (hover text) and is built once", () => {
    const s = manifestJsonSchema();
    expect(s).toBe(manifestJsonSchema());
    const text = JSON.stringify(s);
    expect(text).toContain("A hostname glob");
    expect(text).toContain("The node's own patch, applied after every shared one.");
    expect(s.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  });
});
