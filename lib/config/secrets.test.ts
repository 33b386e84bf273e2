/**
 * Every field marked secret in the schema (all minors) is redacted, whatever shape its value
 * has, and no validation message quotes it (issue 11, findings 8 and 9).
 */
import { describe, expect, it } from "vitest";
import YAML from "yaml";

import { mergeSecrets, redactConfig } from "@/lib/config/redact";
import { configJsonSchema } from "@/lib/config/schema";
import { isSensitiveName, secretFields, type SecretField } from "@/lib/config/schema/secrets";
import { scrubText } from "@/lib/config/secret-values";
import { TALOS_MINORS } from "@/lib/config/types";
import { validateConfig } from "@/lib/config/validate";

type Json = Record<string, unknown>;

/** A secret-looking text unique to `i`: long enough that a message would truncate it. */
const secretFor = (i: number) => `Zq${i}Xw9${"kR7vT2mP4nL8hJ3gF6dS1aQ0".repeat(3)}${i}E=`;

function setIn(root: Json, path: readonly (string | number)[], value: unknown): void {
  let cur: Record<string | number, unknown> = root;
  path.forEach((seg, i) => {
    const key = seg === "*" ? "example.com" : seg;
    if (i === path.length - 1) {
      cur[key] = value;
      return;
    }
    const next = path[i + 1];
    cur[key] ??= typeof next === "number" ? [] : {};
    cur = cur[key] as Record<string | number, unknown>;
  });
}

function documentWith(field: SecretField, value: unknown): string {
  const doc: Json = field.kind === "v1alpha1" ? { version: "v1alpha1", machine: { type: "controlplane" } } : { apiVersion: "v1alpha1", kind: field.kind };
  if (field.kind !== "v1alpha1") doc.name = "x";
  setIn(doc, field.path, value);
  return YAML.stringify(doc);
}

/** The value of a marked field in its own shape, holding `secret`. */
function valueFor(field: SecretField, secret: string): unknown {
  if (field.mark === "values") return { "X-Header": secret };
  if (field.mark === "url") return `https://omni.example.com:8090/?jointoken=${secret}`;
  return secret;
}

const FIELDS = secretFields();

describe("secret marks", () => {
  it("include every field Talos's Redact methods replace", () => {
    // From siderolabs/talos pkg/machinery/config/types/**: v1alpha1 Config.Redact,
    // redactDeviceSecrets, redactVIPSecrets, and each SecretDocument's Redact.
    const talos: [string, string][] = [
      ["v1alpha1", "machine.token"],
      ["v1alpha1", "machine.ca.key"],
      ["v1alpha1", "machine.registries.config.*.auth.password"],
      ["v1alpha1", "machine.registries.config.*.auth.auth"],
      ["v1alpha1", "machine.registries.config.*.auth.identityToken"],
      ["v1alpha1", "machine.registries.config.*.tls.clientIdentity.key"],
      ["v1alpha1", "machine.network.interfaces.0.wireguard.privateKey"],
      ["v1alpha1", "machine.network.interfaces.0.vip.equinixMetal.apiToken"],
      ["v1alpha1", "machine.network.interfaces.0.vip.hcloud.apiToken"],
      ["v1alpha1", "machine.network.interfaces.0.vlans.0.vip.hcloud.apiToken"],
      ["v1alpha1", "machine.systemDiskEncryption.state.keys.0.static.passphrase"],
      ["v1alpha1", "machine.systemDiskEncryption.ephemeral.keys.0.static.passphrase"],
      ["v1alpha1", "cluster.secret"],
      ["v1alpha1", "cluster.token"],
      ["v1alpha1", "cluster.aescbcEncryptionSecret"],
      ["v1alpha1", "cluster.secretboxEncryptionSecret"],
      ["v1alpha1", "cluster.serviceAccount.key"],
      ["v1alpha1", "cluster.ca.key"],
      ["v1alpha1", "cluster.aggregatorCA.key"],
      ["v1alpha1", "cluster.etcd.ca.key"],
      ["VolumeConfig", "encryption.keys.0.static.passphrase"],
      ["UserVolumeConfig", "encryption.keys.0.static.passphrase"],
      ["RawVolumeConfig", "encryption.keys.0.static.passphrase"],
      ["SwapVolumeConfig", "encryption.keys.0.static.passphrase"],
      ["DiscoveryIdentityConfig", "clusterSecret"],
      ["RegistryAuthConfig", "password"],
      ["RegistryAuthConfig", "auth"],
      ["RegistryAuthConfig", "identityToken"],
      ["RegistryTLSConfig", "clientIdentity.key"],
      ["KubeAggregatorCAConfig", "issuingCA.key"],
      ["KubeAPIServerCAConfig", "issuingCA.key"],
      ["KubeServiceAccountConfig", "issuer.privateKey"],
      ["HCloudVIPConfig", "apiToken"],
      ["WireguardConfig", "privateKey"],
      ["WireguardConfig", "peers.0.presharedKey"],
      ["SideroLinkConfig", "uniqueToken"],
      ["SideroLinkConfig", "apiUrl"],
    ];
    const marked = new Set(FIELDS.map((f) => `${f.kind}:${f.path.join(".")}`));
    expect(talos.filter(([k, p]) => !marked.has(`${k}:${p}`))).toEqual([]);
  });

  it("tell the editor's hover what the marker means", () => {
    const text = JSON.stringify(configJsonSchema("1.14"));
    expect(text).toContain("WireGuard private key of this node, base64 (wg genkey). Secret: shown as ****** to readers");
  });

  it("are redacted in every shape a value can take, and merged back", () => {
    expect(FIELDS.length).toBeGreaterThan(30);
    const leaks: string[] = [];
    const unmerged: string[] = [];
    FIELDS.forEach((field, i) => {
      const s = secretFor(i);
      const shapes = field.mark === true ? [s, [s, "other"], { nested: s }, Number(`9${i}87654321`)] : [valueFor(field, s)];
      for (const value of shapes) {
        const yaml = documentWith(field, value);
        const redacted = redactConfig(yaml);
        const text = typeof value === "number" ? String(value) : s;
        if (redacted.includes(text)) leaks.push(`${field.kind} ${field.path.join(".")} as ${JSON.stringify(value).slice(0, 20)}`);
        const merged = mergeSecrets(redacted, yaml);
        if (merged.yaml !== yaml || merged.unresolved.length > 0) unmerged.push(`${field.kind} ${field.path.join(".")} as ${JSON.stringify(value).slice(0, 20)}`);
      }
    });
    expect(leaks).toEqual([]);
    expect(unmerged).toEqual([]);
  });
});

describe("validation messages", () => {
  it("never quote a value at a secret field, in any minor and any shape", () => {
    const leaks: string[] = [];
    FIELDS.forEach((field, i) => {
      const s = secretFor(i);
      // Wrong-shaped on purpose: not base64 of 32 bytes, not PEM, not a URL Talos accepts.
      const shapes: unknown[] = field.mark === true ? [s, `${s}!`, [s], { [s]: s }] : [valueFor(field, s), `ftp://u:${s}@h/?jointoken=${s}`];
      for (const value of shapes) {
        const yaml = documentWith(field, value);
        for (const talosVersion of TALOS_MINORS) {
          for (const issue of validateConfig(yaml, { talosVersion }).issues) {
            if (issue.message.includes(s.slice(0, 12)) || issue.message.includes(s.slice(-12))) leaks.push(`${talosVersion} ${field.kind} ${field.path.join(".")}: ${issue.message}`);
          }
        }
      }
    });
    expect(leaks).toEqual([]);
  });

  it("do not quote a WireGuard private key of the wrong length, but still say what is wrong", () => {
    const key = "wKWd4d7N1Pl2pyd4CsqVCNTw4bz6fGdKQwW0ZaY9"; // 30 bytes
    const pub = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8"; // 30 bytes, public
    const yaml = `version: v1alpha1\nmachine:\n  type: worker\n  network:\n    interfaces:\n      - interface: wg0\n        wireguard:\n          privateKey: ${key}\n          peers:\n            - publicKey: ${pub}\n              allowedIPs: [10.0.0.0/8]\n`;
    const issues = validateConfig(yaml, { talosVersion: "1.11" }).issues;
    const at = (p: string) => issues.find((i) => i.path.join(".") === `machine.network.interfaces.0.wireguard.${p}`);
    expect(at("privateKey")?.message).toBe("private key is invalid: wrong key length: 30");
    // A public key may be quoted (as Talos does); the private one never, anywhere.
    expect(at("peers.0.publicKey")?.message).toContain(pub);
    const elsewhere = issues.filter((i) => !i.path.join(".").endsWith("publicKey"));
    for (const i of elsewhere) expect(i.message).not.toContain(key.slice(0, 10));
  });

  it("lose credentials in URLs whatever field they are in", () => {
    const yaml = `apiVersion: v1alpha1\nkind: KubeExternalManifestConfig\nname: m\nurl: ftp://u:LOGPASSsecret@files.example.com/m.yaml\n`;
    const issues = validateConfig(yaml, { talosVersion: "1.14" }).issues;
    expect(issues.length).toBeGreaterThan(0);
    for (const i of issues) expect(i.message).not.toContain("LOGPASSsecret");
  });
});

describe("isSensitiveName", () => {
  it("tells secrets' names from names about secrets", () => {
    for (const n of ["token", "jointoken", "GITHUB_TOKEN", "clientSecret", "AWS_SECRET_ACCESS_KEY", "Authorization", "X-Api-Key", "PGPASSWORD", "passphrase", "auth"]) expect(isSensitiveName(n), n).toBe(true);
    for (const n of ["secretName", "tokenTTL", "token-auth-file", "AWS_ACCESS_KEY_ID", "key", "publicKey", "username", "http_proxy", "no_proxy"]) expect(isSensitiveName(n), n).toBe(false);
  });
});

describe("scrubText", () => {
  it("removes a short secret next to its own place only as a word", () => {
    expect(scrubText("wrong key abc length: 2", ["abc"], { runs: true })).toBe("wrong key ****** length: 2");
    expect(scrubText("wrong key abc length: 2", ["abc"])).toBe("wrong key abc length: 2");
    expect(scrubText("fabcd", ["abc"], { runs: true })).toBe("fabcd");
  });

  it("removes a truncated quote of a known secret", () => {
    const secret = secretFor(1);
    const message = `wrong key ${JSON.stringify(secret).slice(0, 40)}…" length: 31`;
    expect(scrubText(message, [secret], { runs: true })).toBe('wrong key "******…" length: 31');
  });
});
