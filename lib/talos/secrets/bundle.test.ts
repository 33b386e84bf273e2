import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { SourceError } from "../errors";
import { generateSecretsBundle, parseSecretsBundle, secretsBundleFromConfig, stringifySecretsBundle, type SecretsBundle } from "./bundle";

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
    // cluster.ClusterIDEncoding = base64.URLEncoding (padded), ClusterSecretEncoding = StdEncoding.
    expect(b.cluster.id).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(Buffer.from(b.cluster.secret, "base64")).toHaveLength(32);
    expect(parseSecretsBundle(stringifySecretsBundle(b), "g")).toEqual(b);
  }, 60_000);
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
});
