import crypto from "node:crypto";

import { beforeAll, describe, expect, it } from "vitest";

import { x509 } from "@/lib/utils/x509";
import { CertParseError, readCertFacts, splitPemBlocks } from "@/lib/server/talos/certs";
import { createCa, createTalosCa, issueClientCert, issueLeaf, type CertAndKey } from "@/lib/talos/pki";

/** A certificate signed by `ca` with exactly this subject (x509 JSON name), for shapes Talos's generator never writes. */
async function withSubject(subject: ConstructorParameters<typeof x509.Name>[0], alg: EcKeyGenParams | RsaHashedKeyGenParams | Algorithm) {
  const keys = (await crypto.webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
  const signing = alg.name === "ECDSA" ? { name: "ECDSA", hash: "SHA-256" } : alg.name === "Ed25519" ? { name: "Ed25519" } : { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "00ff01",
    name: new x509.Name(subject),
    notBefore: new Date("2026-01-01T00:00:00Z"),
    notAfter: new Date("2027-01-01T00:00:00Z"),
    signingAlgorithm: signing,
    keys,
  });
  return cert.toString("pem");
}

let osCa: CertAndKey;
let aggregatorCa: CertAndKey;
let k8sCa: CertAndKey;

beforeAll(async () => {
  [osCa, aggregatorCa, k8sCa] = await Promise.all([createTalosCa("os"), createTalosCa("aggregator"), createTalosCa("kubernetes")]);
});

describe("readCertFacts: every certificate shape Talos issues or accepts", () => {
  it("empty subject and issuer (Talos's aggregator CA), where Node's X509Certificate gives undefined", () => {
    // The cause of the failed scans: Node has no string for an empty name.
    expect(new crypto.X509Certificate(aggregatorCa.certPem).subject).toBeUndefined();
    const f = readCertFacts(aggregatorCa.certPem);
    expect(f).toMatchObject({ subject: "", issuer: "", subjectAttributes: [], commonName: null, organizations: [], isCa: true, keyAlgorithm: "ECDSA P-256" });
    expect(f.notAfter.getTime() - f.notBefore.getTime()).toBe(87600 * 3_600_000);
  });

  it("a leaf with an empty issuer (front-proxy-client from the aggregator CA)", async () => {
    const leaf = await issueLeaf(aggregatorCa, { commonName: "front-proxy-client", validHours: 8760, extKeyUsage: ["clientAuth"] });
    expect(readCertFacts(leaf.certPem)).toMatchObject({ subject: "CN=front-proxy-client", issuer: "", commonName: "front-proxy-client", isCa: false });
  });

  it("no CN and several O values in one RDN (a talosconfig client certificate)", async () => {
    const client = await issueClientCert(osCa, { roles: ["os:reader", "os:admin"] });
    expect(readCertFacts(client.certPem)).toMatchObject({
      subject: "O=os:admin, O=os:reader",
      issuer: "O=talos",
      commonName: null,
      organizations: ["os:admin", "os:reader"],
      keyAlgorithm: "Ed25519",
      isCa: false,
    });
  });

  it("several O values in separate RDNs, an empty O dropped from the roles", async () => {
    const pem = await withSubject([{ O: ["os:operator"] }, { O: [""] }, { O: ["os:etcd:backup"] }, { CN: ["ops"] }], { name: "Ed25519" });
    const f = readCertFacts(pem);
    expect(f.organizations).toEqual(["os:operator", "os:etcd:backup"]);
    expect(f.commonName).toBe("ops");
    expect(f.subject).toBe("O=os:operator, O=, O=os:etcd:backup, CN=ops");
  });

  it.each([
    ["Ed25519", () => osCa, "Ed25519"],
    ["ECDSA P-256", () => k8sCa, "ECDSA P-256"],
  ])("%s key", (_name, ca, expected) => {
    expect(readCertFacts(ca().certPem).keyAlgorithm).toBe(expected);
  });

  it("RSA key (an accepted CA imported from kubeadm)", async () => {
    const rsa = await createCa({ organization: "kubernetes", commonName: "kubernetes", keyAlgorithm: "rsa-2048" });
    expect(readCertFacts(rsa.certPem)).toMatchObject({ keyAlgorithm: "RSA 2048", commonName: "kubernetes", isCa: true });
  });

  it("ECDSA P-384 and values that need escaping in a one-line name", async () => {
    const pem = await withSubject([{ CN: ["a, b + c"] }], { name: "ECDSA", namedCurve: "P-384" } as EcKeyGenParams);
    expect(readCertFacts(pem)).toMatchObject({ keyAlgorithm: "ECDSA P-384", commonName: "a, b + c" });
  });

  it("agrees with Node on fingerprint, serial and dates", () => {
    const node = new crypto.X509Certificate(k8sCa.certPem);
    const f = readCertFacts(k8sCa.certPem);
    expect(f.fingerprint256).toBe(node.fingerprint256);
    expect(f.serialNumber).toBe(node.serialNumber);
    expect(f.notAfter.getTime()).toBe(new Date(node.validTo).getTime());
    expect(f.notBefore.getTime()).toBe(new Date(node.validFrom).getTime());
  });

  it("drops a leading zero byte of the serial as Node does", async () => {
    const pem = await withSubject([{ CN: ["x"] }], { name: "Ed25519" });
    expect(readCertFacts(pem).serialNumber).toBe(new crypto.X509Certificate(pem).serialNumber);
  });

  it.each([
    ["no certificate", "hello"],
    ["a broken body", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"],
  ])("%s: a CertParseError with the reason", (_name, text) => {
    expect(() => readCertFacts(text)).toThrow(CertParseError);
    expect(() => readCertFacts(text)).toThrow(/not a valid X\.509 certificate/);
  });
});

describe("splitPemBlocks", () => {
  it("finds blocks and their labels, ignoring text between them", async () => {
    const ca = await createTalosCa("os");
    const blocks = splitPemBlocks(`# a comment\n${ca.certPem}\nnoise\n${ca.keyPem}`);
    expect(blocks.map((b) => b.label)).toEqual(["CERTIFICATE", "PRIVATE KEY"]);
    expect(blocks[0]!.pem.trim()).toBe(ca.certPem.trim());
  });

  it("reads an uploaded talosconfig's field of many BEGIN lines without an END in linear time", () => {
    // The regex this replaced searched the rest of the text from every BEGIN: this took minutes.
    expect(splitPemBlocks("-----BEGIN CERTIFICATE-----\n".repeat(100_000))).toEqual([]);
  });
});
