import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

import { parseAllDocuments, stringify } from "yaml";
import { describe, expect, it, vi } from "vitest";

import { MAX_CONFIG_BYTES } from "@/lib/config/parse";

import { SourceError } from "../errors";
import { firstPemBlockLabel, generateSecretsBundle, parseSecretsBundle, secretsBundleFromConfig, stringifySecretsBundle, type SecretsBundle } from "./bundle";

// Talos's own fixture: pkg/machinery/config/generate/secrets/testdata/secrets.yaml at v1.14.0-rc.1.
const talosFixture = readFileSync(path.join(__dirname, "testdata/talos-secrets.yaml"), "utf8");

function place(fn: () => unknown): SourceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SourceError) return e;
    throw e;
  }
  throw new Error("no error thrown");
}

describe("secrets.yaml format", () => {
  it("round-trips Talos's testdata/secrets.yaml byte for byte", () => {
    const b = parseSecretsBundle(talosFixture, "secrets.yaml");
    expect(b.certs.os.key.startsWith("-----BEGIN ED25519 PRIVATE KEY-----")).toBe(true);
    expect(b.certs.etcd.key.startsWith("-----BEGIN EC PRIVATE KEY-----")).toBe(true);
    expect(b.secrets.secretboxencryptionsecret).toBe("6zWBpno849HlD5jeuTmGToFYP+z8lgkJa0fhHobv7mE=");
    expect(b.secrets.aescbcencryptionsecret).toBeUndefined();
    expect(stringifySecretsBundle(b)).toBe(talosFixture);
  });

  it("writes aescbcencryptionsecret only when set (omitempty), before secretbox's place", () => {
    const b = parseSecretsBundle(talosFixture, "s");
    const aes: SecretsBundle = { ...b, secrets: { bootstraptoken: b.secrets.bootstraptoken, aescbcencryptionsecret: "QUVT" } };
    const text = stringifySecretsBundle(aes);
    expect(text).toContain("secrets:\n    bootstraptoken: 2psnp2.lry8e9gycdix3bpa\n    aescbcencryptionsecret: QUVT\ntrustdinfo:");
    expect(text).not.toContain("secretboxencryptionsecret");
    expect(parseSecretsBundle(text, "s").secrets).toEqual({ bootstraptoken: "2psnp2.lry8e9gycdix3bpa", aescbcencryptionsecret: "QUVT" });
  });

  it("refuses malformed YAML with its line and column", () => {
    const e = place(() => parseSecretsBundle("cluster:\n    id: [unclosed\n", "bad.yaml"));
    expect(e.place.source).toBe("bad.yaml");
    expect(e.place.line).toBeGreaterThanOrEqual(2);
    expect(e.message).toMatch(/malformed YAML/);
  });

  it("names a missing field and where its parent is", () => {
    const text = talosFixture.replace(/ {4}os:\n {8}crt: \S+\n/, "    os:\n");
    const e = place(() => parseSecretsBundle(text, "s.yaml"));
    expect(e.message).toBe("certs.os.crt is required");
    expect(e.place.path).toBe("certs.os.crt");
    expect(e.place.line).toBe(text.split("\n").findIndex((l) => l === "    os:") + 2);
  });

  it("refuses Talos's invalid-secrets.yaml (no cluster secret, no encryption secret)", () => {
    const text = talosFixture.replace(/ {4}secret: \S+\n/, "").replace(/ {4}secretboxencryptionsecret: \S+\n/, "");
    expect(place(() => parseSecretsBundle(text, "s")).message).toMatch(/one of \[secrets.secretboxencryptionsecret, secrets.aescbcencryptionsecret\] is required/);
  });

  it("refuses a value that is not base64 of a PEM certificate, at the value", () => {
    const notPem = Buffer.from("hello").toString("base64");
    const text = talosFixture.replace(/( {4}k8s:\n {8}crt: )\S+/, `$1${notPem}`);
    const e = place(() => parseSecretsBundle(text, "s"));
    expect(e.message).toBe("certs.k8s.crt is not a PEM certificate");
    const line = text.split("\n").findIndex((l) => l.includes(notPem)) + 1;
    expect(e.place).toMatchObject({ line, column: 14, path: "certs.k8s.crt" });
  });

  it("refuses a key where a certificate belongs", () => {
    const b = parseSecretsBundle(talosFixture, "s");
    const text = stringifySecretsBundle({ ...b, certs: { ...b.certs, os: { crt: b.certs.os.key, key: b.certs.os.key } } });
    expect(place(() => parseSecretsBundle(text, "s")).message).toMatch(/^certs.os.crt is invalid: PEM block is ED25519 PRIVATE KEY/);
  });
});

describe("generateSecretsBundle", () => {
  it("makes Talos's key types, tokens and encodings, and parses back", async () => {
    const now = new Date("2026-01-02T03:04:05Z");
    const b = await generateSecretsBundle({ talosVersion: "1.13", now });
    const keyType = (pem: string) => crypto.createPrivateKey(pem.replace(/ED25519 PRIVATE KEY/g, "PRIVATE KEY"));
    expect(keyType(b.certs.os.key).asymmetricKeyType).toBe("ed25519");
    expect(b.certs.os.key).toMatch(/^-----BEGIN ED25519 PRIVATE KEY-----/);
    for (const p of [b.certs.etcd, b.certs.k8s, b.certs.k8saggregator]) {
      expect(p.key).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
      expect(keyType(p.key).asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
      const cert = new crypto.X509Certificate(p.crt);
      expect(cert.ca).toBe(true);
      expect(new Date(cert.validFrom).getTime()).toBe(now.getTime());
      expect(new Date(cert.validTo).getTime() - now.getTime()).toBe(87600 * 3_600_000);
    }
    expect(new crypto.X509Certificate(b.certs.etcd.crt).subject).toBe("O=etcd");
    expect(new crypto.X509Certificate(b.certs.k8s.crt).subject).toBe("O=kubernetes");
    expect(new crypto.X509Certificate(b.certs.k8saggregator.crt).subject ?? "").toBe("");
    expect(new crypto.X509Certificate(b.certs.os.crt).subject).toBe("O=talos");
    expect(b.certs.k8sserviceaccount.key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(keyType(b.certs.k8sserviceaccount.key).asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(b.secrets.bootstraptoken).toMatch(/^[0-9a-z]{6}\.[0-9a-z]{16}$/);
    expect(b.trustdinfo.token).toMatch(/^[0-9a-z]{6}\.[0-9a-z]{16}$/);
    expect(b.secrets.aescbcencryptionsecret).toBeUndefined();
    expect(Buffer.from(b.secrets.secretboxencryptionsecret!, "base64")).toHaveLength(32);
    // talosctl 1.14: cluster.ClusterIDEncoding = ClusterSecretEncoding = base64.StdEncoding.
    expect(b.cluster.id).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(b.cluster.id, "base64")).toHaveLength(32);
    expect(Buffer.from(b.cluster.secret, "base64")).toHaveLength(32);
    expect(parseSecretsBundle(stringifySecretsBundle(b), "g")).toEqual(b);
  }, 60_000);
});

describe("generateSecretsBundle's cluster id encoding (bundle.go populate)", () => {
  // 0xfb bytes: StdEncoding writes `+/v7`, URLEncoding `-_v7` (and 251 < 252 keeps the token generator going).
  const fixed = () => {
    const real = crypto.randomBytes;
    return vi.spyOn(crypto, "randomBytes").mockImplementation(((size: number, cb?: unknown) => (size === 32 && cb === undefined ? Buffer.alloc(32, 0xfb) : (real as (...a: unknown[]) => unknown)(size, cb))) as typeof crypto.randomBytes);
  };

  it("talosctl 1.14 (the default) writes StdEncoding for every contract, older talosctl URLEncoding", async () => {
    const spy = fixed();
    try {
      const std = Buffer.alloc(32, 0xfb).toString("base64");
      expect((await generateSecretsBundle({ talosVersion: "1.10" })).cluster.id).toBe(std);
      expect((await generateSecretsBundle({ talosVersion: "1.14", talosctlVersion: "v1.14.0" })).cluster.id).toBe(std);
      expect((await generateSecretsBundle({ talosVersion: "1.10", talosctlVersion: "v1.10.3" })).cluster.id).toBe(Buffer.alloc(32, 0xfb).toString("base64url") + "=");
    } finally {
      spy.mockRestore();
    }
  }, 60_000);
});

describe("size cap and PEM scanning", () => {
  it("refuses input past MAX_CONFIG_BYTES before parsing, in both readers", () => {
    const big = `# ${"x".repeat(MAX_CONFIG_BYTES)}\n${talosFixture}`;
    expect(place(() => parseSecretsBundle(big, "big.yaml")).message).toBe(`input is larger than ${MAX_CONFIG_BYTES} bytes`);
    expect(place(() => secretsBundleFromConfig(big, "big.yaml")).message).toBe(`input is larger than ${MAX_CONFIG_BYTES} bytes`);
  });

  it("finds the first PEM block's label; many BEGIN lines without an END are no block", () => {
    expect(firstPemBlockLabel("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")).toBe("CERTIFICATE");
    expect(firstPemBlockLabel("junk\n-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----")).toBe("EC PRIVATE KEY");
    expect(firstPemBlockLabel("-----BEGIN CERTIFICATE-----\nAAAA\n-----END EC PRIVATE KEY-----\n")).toBeNull();
    expect(firstPemBlockLabel("x-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")).toBeNull();
    expect(firstPemBlockLabel("-----BEGIN A-----\n".repeat(20_000))).toBeNull();
  });
});

describe("secretsBundleFromConfig", () => {
  const stability = (v: string, role: string) =>
    readFileSync(path.join(__dirname, `../generate/testdata/talos-stability/v${v}/base-${role}.yaml`), "utf8");
  const bundle = parseSecretsBundle(readFileSync(path.join(__dirname, "../generate/testdata/secrets.yaml"), "utf8"), "s");

  it.each(["1.10", "1.13", "1.14"])("extracts the whole bundle from Talos's %s control-plane config", (v) => {
    expect(secretsBundleFromConfig(stability(v, "controlplane"), "cp.yaml")).toEqual(bundle);
  });

  it.each(["1.12", "1.14"])("refuses a %s worker's config at its machine.type", (v) => {
    const text = stability(v, "worker");
    const e = place(() => secretsBundleFromConfig(text, "worker.yaml"));
    expect(e.message).toBe("the config is a worker's: only a control plane's config holds the cluster's CA keys");
    expect(e.place).toMatchObject({ source: "worker.yaml", path: "machine.type", line: text.split("\n").indexOf("    type: worker") + 1, column: 11 });
  });

  it("names a control plane's missing CA key in the legacy layout, at its mapping", () => {
    const text = stability("1.12", "controlplane").replace(/( {4}aggregatorCA:\n {8}crt: \S+\n) {8}key: \S+\n/, "$1");
    const e = place(() => secretsBundleFromConfig(text, "cp.yaml"));
    expect(e.message).toBe("the config has no aggregator CA key (cluster.aggregatorCA); is it a control plane's config?");
    expect(e.place).toMatchObject({ path: "cluster.aggregatorCA.key", line: text.split("\n").indexOf("    aggregatorCA:") + 1 });
  });

  it("names the missing key of a control plane's config", () => {
    const text = stability("1.14", "controlplane").replace(/kind: KubeServiceAccountConfig\nissuer:\n {4}privateKey: \|\n( {8}.*\n)+/, "kind: KubeServiceAccountConfig\nissuer:\n");
    const e = place(() => secretsBundleFromConfig(text, "cp.yaml"));
    expect(e.message).toBe("the config has no service-account key");
    expect(e.place.path).toBe("KubeServiceAccountConfig.issuer.privateKey");
    expect(e.place.line).toBe(text.split("\n").indexOf("kind: KubeServiceAccountConfig") + 2);
  });

  /** Talos's 1.14 control-plane config with `edit` applied to its documents. */
  const edited = (edit: (docs: Record<string, unknown>[]) => void) => {
    const docs = parseAllDocuments(stability("1.14", "controlplane")).map((d) => d.toJS() as Record<string, unknown>);
    edit(docs);
    return docs.map((d) => stringify(d)).join("---\n");
  };
  const byKind = (docs: Record<string, unknown>[], kind: string) => docs.find((d) => d.kind === kind)!;
  const setProviders = (providers: unknown[]) => (docs: Record<string, unknown>[]) => {
    byKind(docs, "KubeEtcdEncryptionConfig").config = { resources: [{ resources: ["secrets"], providers }] };
  };
  const AES = "QUVTLWtleS0xMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ=";
  const SB = bundle.secrets.secretboxencryptionsecret!;

  it("keeps a migrated config's only AES-CBC key (Talos would find no secret)", () => {
    const b = secretsBundleFromConfig(edited(setProviders([{ aescbc: { keys: [{ name: "key1", secret: AES } ] } }])), "cp.yaml");
    expect(b.secrets).toEqual({ bootstraptoken: bundle.secrets.bootstraptoken, aescbcencryptionsecret: AES });
  });

  it("keeps both keys when secretbox comes first and AES-CBC after it", () => {
    const b = secretsBundleFromConfig(edited(setProviders([{ secretbox: { keys: [{ name: "key2", secret: SB }] } }, { aescbc: { keys: [{ name: "key1", secret: AES }] } }])), "cp.yaml");
    expect(b.secrets).toEqual({ bootstraptoken: bundle.secrets.bootstraptoken, aescbcencryptionsecret: AES, secretboxencryptionsecret: SB });
  });

  it("takes the secretbox key only from a block whose first provider is secretbox, as bundle.go does", () => {
    const cfg = edited((docs) => {
      byKind(docs, "KubeEtcdEncryptionConfig").config = {
        resources: [
          { resources: ["configmaps"], providers: [{ secretbox: { keys: [{ name: "x", secret: "bm90LXNlY3JldHM=" }] } }] },
          { resources: ["secrets"], providers: [{ identity: {} }, { secretbox: { keys: [{ name: "y", secret: "c2Vjb25kLXByb3ZpZGVy" }] } }] },
          { resources: ["secrets"], providers: [{ secretbox: { keys: [{ name: "z", secret: SB }] } }] },
        ],
      };
    });
    expect(secretsBundleFromConfig(cfg, "cp.yaml").secrets.secretboxencryptionsecret).toBe(SB);
  });

  it("prefers the v1alpha1 cluster id and secret over a DiscoveryIdentityConfig (container.go)", () => {
    const cfg = edited((docs) => {
      const cluster = docs[0]!.cluster as Record<string, unknown>;
      cluster.id = "djFhbHBoYS1pZA==";
      cluster.secret = "djFhbHBoYS1zZWNyZXQ=";
    });
    expect(secretsBundleFromConfig(cfg, "cp.yaml").cluster).toEqual({ id: "djFhbHBoYS1pZA==", secret: "djFhbHBoYS1zZWNyZXQ=" });
    // Without them, the document's identity.
    expect(secretsBundleFromConfig(edited(() => {}), "cp.yaml").cluster).toEqual(bundle.cluster);
  });
});
