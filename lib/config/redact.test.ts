import { describe, expect, it } from "vitest";
import YAML from "yaml";

import { isRedactedAt, mergeSecrets, redactConfig, REDACTED } from "@/lib/config/redact";

const pemKey = Buffer.from("-----BEGIN ED25519 PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END ED25519 PRIVATE KEY-----\n").toString("base64");
const pemCrt = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").toString("base64");

const config = `version: v1alpha1 # keep this comment
machine:
  type: controlplane
  token: abcdef.0123456789abcdef
  ca:
    crt: ${pemCrt}
    key: ${pemKey}
  network:
    interfaces:
      - interface: wg0
        wireguard:
          privateKey: "wKWd4d7N1Pl2pyd4CsqVCNTw4bz6fGdKQwW0ZaY9Qmw="
          peers:
            - publicKey: "pub"
  registries:
    config:
      ghcr.io:
        auth:
          username: bot
          password: hunter2
  nodeTaints:
    key: value:NoSchedule
cluster:
  secret: "c2VjcmV0"
  token: 'abc.def'
  secretboxEncryptionSecret: sbx
  ca:
    crt: ${pemCrt}
    key: ${pemKey}
  serviceAccount:
    key: ${pemKey}
---
apiVersion: v1alpha1
kind: WireguardConfig
name: wg1
privateKey: SECRETKEY
`;

describe("redactConfig", () => {
  const redacted = redactConfig(config);
  const [v1, wg] = YAML.parseAllDocuments(redacted).map((d) => d.toJS());

  it("replaces every secret", () => {
    expect(v1.machine.token).toBe(REDACTED);
    expect(v1.machine.ca.key).toBe(REDACTED);
    expect(v1.machine.network.interfaces[0].wireguard.privateKey).toBe(REDACTED);
    expect(v1.machine.registries.config["ghcr.io"].auth.password).toBe(REDACTED);
    expect(v1.cluster.secret).toBe(REDACTED);
    expect(v1.cluster.token).toBe(REDACTED);
    expect(v1.cluster.secretboxEncryptionSecret).toBe(REDACTED);
    expect(v1.cluster.ca.key).toBe(REDACTED);
    expect(v1.cluster.serviceAccount.key).toBe(REDACTED);
    expect(wg.privateKey).toBe(REDACTED);
    for (const secret of ["abcdef.0123456789abcdef", "hunter2", "c2VjcmV0", "abc.def", "sbx", "SECRETKEY", pemKey, "wKWd4d7N"]) {
      expect(redacted).not.toContain(secret);
    }
  });

  it("keeps public values, comments and formatting", () => {
    expect(v1.machine.ca.crt).toBe(pemCrt);
    expect(v1.machine.network.interfaces[0].wireguard.peers[0].publicKey).toBe("pub");
    expect(v1.machine.registries.config["ghcr.io"].auth.username).toBe("bot");
    expect(v1.machine.nodeTaints.key).toBe("value:NoSchedule");
    expect(redacted).toContain("version: v1alpha1 # keep this comment\n");
    expect(redacted.split("\n")).toHaveLength(config.split("\n").length);
  });

  it("redacts unparseable YAML whole", () => {
    expect(redactConfig("machine: [\n  token: x")).toBe(`'${REDACTED}'`);
  });
});

describe("mergeSecrets", () => {
  it("restores the original values into an edited redacted config", () => {
    const edited = redactConfig(config).replace("type: controlplane", "type: controlplane\n  certSANs: [10.0.0.1]");
    const { yaml, unresolved } = mergeSecrets(edited, config);
    expect(unresolved).toEqual([]);
    expect(yaml).toBe(config.replace("type: controlplane", "type: controlplane\n  certSANs: [10.0.0.1]"));
  });

  it("matches named documents by kind and name, not position", () => {
    const original = `apiVersion: v1alpha1\nkind: WireguardConfig\nname: a\nprivateKey: KEY-A\n---\napiVersion: v1alpha1\nkind: WireguardConfig\nname: b\nprivateKey: KEY-B\n`;
    const swapped = `apiVersion: v1alpha1\nkind: WireguardConfig\nname: b\nprivateKey: '${REDACTED}'\n---\napiVersion: v1alpha1\nkind: WireguardConfig\nname: a\nprivateKey: '${REDACTED}'\n`;
    const { yaml } = mergeSecrets(swapped, original);
    expect(yaml).toContain("name: b\nprivateKey: KEY-B");
    expect(yaml).toContain("name: a\nprivateKey: KEY-A");
  });

  it("reports a marker with no original value", () => {
    const { unresolved } = mergeSecrets(`version: v1alpha1\nmachine:\n  token: "${REDACTED}"\n`, "version: v1alpha1\nmachine: {}\n");
    expect(unresolved).toEqual([{ document: 0, path: ["machine", "token"] }]);
  });
});

describe("isRedactedAt", () => {
  it("finds the marker by path", () => {
    const redacted = redactConfig(config);
    expect(isRedactedAt(redacted, 0, ["cluster", "ca", "key"])).toBe(true);
    expect(isRedactedAt(redacted, 0, ["cluster", "ca", "crt"])).toBe(false);
  });
});
