import { beforeAll, describe, expect, it } from "vitest";

import { certificatesInMachineConfig, certificatesInSecret, certificatesInValue } from "@/lib/server/certs/extract";
import { buildInventory } from "@/lib/server/certs/inventory";
import { createCa, type CertAndKey } from "@/lib/talos/pki";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const indent = (s: string, n: number) => s.trimEnd().split("\n").join(`\n${" ".repeat(n)}`);

describe("certificates in machine configs and secrets", () => {
  let a: CertAndKey;
  let b: CertAndKey;
  beforeAll(async () => {
    [a, b] = await Promise.all([createCa({ organization: "a", commonName: "a" }), createCa({ organization: "b", keyAlgorithm: "ecdsa-p256" })]);
  });

  it("reads base64 PEM from v1alpha1 and plain PEM from the Kube*CAConfig documents", () => {
    const yaml = [
      "version: v1alpha1",
      "machine:",
      "  type: controlplane",
      `  ca: {crt: ${b64(a.certPem)}, key: "******"}`,
      `  acceptedCAs: [{crt: ${b64(b.certPem)}}]`,
      "cluster:",
      `  aggregatorCA: {crt: ${b64(b.certPem)}}`,
      "  etcd: {ca: {crt: '******'}}",
      "---",
      "apiVersion: v1alpha1",
      "kind: KubeAPIServerCAConfig",
      "issuingCA:",
      "  cert: |",
      `    ${indent(a.certPem, 4)}`,
      "acceptedCAs:",
      "  - |",
      `    ${indent(b.certPem, 4)}`,
      "",
    ].join("\n");
    const found = certificatesInMachineConfig(yaml);
    expect(found.machineType).toBe("controlplane");
    expect(found.found.map((f) => f.role)).toEqual(["talos-ca", "talos-accepted-ca", "aggregator-ca", "k8s-ca", "k8s-accepted-ca"]);
  });

  it("ignores redacted and non-certificate values", () => {
    expect(certificatesInValue("******")).toEqual([]);
    expect(certificatesInValue(b64("not a pem"))).toEqual([]);
    expect(certificatesInValue(42)).toEqual([]);
  });

  it("names known secret keys, keeps unknown ones, and falls back to PEM in the protobuf spec", () => {
    const yaml = `etcdPeer:\n    crt: ${b64(a.certPem)}\n    key: ${b64(a.keyPem)}\nsomethingNew:\n    crt: ${b64(b.certPem)}\n`;
    expect(certificatesInSecret("EtcdSecrets.secrets.talos.dev", yaml, new Uint8Array())).toEqual([
      { role: "etcd-peer", pem: a.certPem },
      { role: "other", pem: b.certPem, purpose: "EtcdSecrets: somethingNew" },
    ]);
    const proto = Buffer.concat([Buffer.from([10, 0x80]), Buffer.from(b.certPem)]);
    expect(certificatesInSecret("EtcdSecrets.secrets.talos.dev", "", proto)).toEqual([{ role: "other", pem: b.certPem, purpose: "EtcdSecrets" }]);
  });

  it("dedupes one certificate per cluster, merging nodes and sources, and reports unparsable ones", () => {
    const now = new Date();
    const inv = buildInventory(
      [
        { cluster: "c1", node: null, source: "talosconfig", role: "talos-ca", pem: a.certPem },
        { cluster: "c1", node: "n2@c1", source: "machine-config", role: "talos-accepted-ca", pem: a.certPem },
        { cluster: "c1", node: "n1@c1", source: "machine-config", role: "talos-ca", pem: a.certPem },
        { cluster: "c2", node: "n1@c2", source: "machine-config", role: "talos-ca", pem: a.certPem },
        { cluster: "c1", node: "n1@c1", source: "machine-config", role: "k8s-ca", pem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" },
      ],
      now,
    );
    expect(inv.certificates).toHaveLength(2);
    const c1 = inv.certificates.find((c) => c.cluster === "c1")!;
    expect(c1).toMatchObject({ purpose: "Talos API CA", nodes: ["n1@c1", "n2@c1"], sources: ["talosconfig", "machine-config"], issuer: "O=a, CN=a" });
    expect(c1.keyAlgorithm).toBe("Ed25519");
    expect(inv.errors).toEqual([expect.objectContaining({ cluster: "c1", node: "n1@c1", code: "invalid_config" })]);
  });
});
