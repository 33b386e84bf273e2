import crypto from "node:crypto";

import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createCa, createForeignCa, createTalosCa, issueClientCert, issueLeaf, issueServerCert, loadX509, type CertAndKey } from "./pki";

const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const DAY_MS = 86_400_000;

let ca: CertAndKey;
let caCert: crypto.X509Certificate;

beforeAll(async () => {
  ca = await createCa();
  caCert = new crypto.X509Certificate(ca.certPem);
});

describe("createCa", () => {
  it("is a self-signed Ed25519 CA with O=talos valid for 10 years", async () => {
    expect(caCert.ca).toBe(true);
    expect(caCert.subject.split("\n")).toContain("O=talos");
    expect(caCert.checkIssued(caCert)).toBe(true);
    expect(caCert.verify(caCert.publicKey)).toBe(true);
    expect(caCert.publicKey.asymmetricKeyType).toBe("ed25519");
    expect(new Date(caCert.validTo).getTime() - new Date(caCert.validFrom).getTime()).toBe(3650 * DAY_MS);
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);

    const x509 = await loadX509();
    const cert = new x509.X509Certificate(ca.certPem);
    const bc = cert.getExtension(x509.BasicConstraintsExtension);
    expect(bc?.ca).toBe(true);
    expect(bc?.critical).toBe(true);
    const ku = cert.getExtension(x509.KeyUsagesExtension);
    // siderolabs/crypto NewSelfSignedCertificateAuthority: KeyUsageCertSign | KeyUsageDigitalSignature, EKU server+client.
    expect(ku?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature);
    expect(ku?.critical).toBe(true);
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([SERVER_AUTH, CLIENT_AUTH]);
    // Only O: Talos's CA template has no CN; no AKI on a self-signed Go certificate.
    expect(cert.subject).toBe("O=talos");
    expect(cert.getExtension(x509.AuthorityKeyIdentifierExtension)).toBeNull();
    expect(cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
  });

  it("can use ECDSA P-256 instead", async () => {
    const ec = await createCa({ keyAlgorithm: "ecdsa-p256", organization: "k8s", validDays: 1 });
    const cert = new crypto.X509Certificate(ec.certPem);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(cert.subject.split("\n")).toContain("O=k8s");
    expect(cert.verify(cert.publicKey)).toBe(true);
  });
});

describe("issueServerCert", () => {
  it("carries IP and DNS SANs and EKU serverAuth, signed by the CA", async () => {
    const server = await issueServerCert(ca, { commonName: "node-1.example", dnsNames: ["node-1", "node-1.example"], ipAddresses: ["127.0.10.1", "::1"] });
    const cert = new crypto.X509Certificate(server.certPem);
    expect(cert.subjectAltName).toBe("DNS:node-1, DNS:node-1.example, IP Address:127.0.10.1, IP Address:0:0:0:0:0:0:0:1");
    expect(cert.keyUsage).toEqual([SERVER_AUTH]);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(crypto.createPrivateKey(server.keyPem))).toBe(true);
    expect(new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()).toBe(DAY_MS);
  });

  it("refuses a non-IP in ipAddresses", async () => {
    await expect(issueServerCert(ca, { commonName: "x", ipAddresses: ["node-1"] })).rejects.toThrow(/not an IP address/);
  });
});

describe("issueClientCert", () => {
  it("puts the roles, sorted, in one multi-valued O RDN with no CN (Go's pkix.Name), EKU clientAuth only", async () => {
    const client = await issueClientCert(ca, { roles: ["os:reader", "os:admin"] });
    const cert = new crypto.X509Certificate(client.certPem);
    expect(cert.subject).toBe("O=os:admin + O=os:reader");
    expect(cert.keyUsage).toEqual([CLIENT_AUTH]);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()).toBe(365 * DAY_MS);

    const x509 = await loadX509();
    const parsed = new x509.X509Certificate(client.certPem);
    expect(parsed.subjectName.getField("O")).toEqual(["os:admin", "os:reader"]);
    expect(parsed.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([CLIENT_AUTH]);
    expect(parsed.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
  });

  it("can mint an already-expired certificate", async () => {
    const client = await issueClientCert(ca, { roles: ["os:admin"], notBefore: new Date(Date.now() - 2 * 3_600_000), validHours: 1 });
    expect(new Date(new crypto.X509Certificate(client.certPem).validTo).getTime()).toBeLessThan(Date.now());
  });
});

describe("mutual TLS with grpc-js", () => {
  const pingService: grpc.ServiceDefinition = {
    ping: {
      path: "/minos.test.Ping/Ping",
      requestStream: false,
      responseStream: false,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => b,
    },
  };
  let server: grpc.Server;
  let address: string;
  let client: CertAndKey;

  beforeAll(async () => {
    const serverCert = await issueServerCert(ca, { commonName: "localhost", ipAddresses: ["127.0.0.1"] });
    client = await issueClientCert(ca, { roles: ["os:admin"] });
    server = new grpc.Server();
    server.addService(pingService, {
      ping: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.from("pong")),
    });
    const creds = grpc.ServerCredentials.createSsl(
      Buffer.from(ca.certPem),
      [{ private_key: Buffer.from(serverCert.keyPem), cert_chain: Buffer.from(serverCert.certPem) }],
      true,
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", creds, (err, p) => (err ? reject(err) : resolve(p))),
    );
    address = `127.0.0.1:${port}`;
  });
  afterAll(() => {
    server?.forceShutdown();
  });

  function ping(trustedCa: string, identity: CertAndKey): Promise<string> {
    const c = new grpc.Client(
      address,
      grpc.credentials.createSsl(Buffer.from(trustedCa), Buffer.from(identity.keyPem), Buffer.from(identity.certPem)),
    );
    return new Promise<string>((resolve, reject) => {
      c.makeUnaryRequest(
        pingService.ping!.path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from("ping"),
        new grpc.Metadata(),
        { deadline: Date.now() + 3000 },
        (err, res) => {
          c.close();
          if (err) reject(err);
          else resolve(res!.toString());
        },
      );
    });
  }

  it("accepts a client certificate from the CA", async () => {
    await expect(ping(ca.certPem, client)).resolves.toBe("pong");
  });

  it("rejects a client certificate from another CA", async () => {
    const foreign = await createForeignCa();
    const stranger = await issueClientCert(foreign, { roles: ["os:admin"] });
    await expect(ping(ca.certPem, stranger)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });

  it("rejects an expired client certificate", async () => {
    const expired = await issueClientCert(ca, { roles: ["os:admin"], notBefore: new Date(Date.now() - 7_200_000), validHours: 1 });
    await expect(ping(ca.certPem, expired)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });

  it("client refuses a server whose certificate is from another CA", async () => {
    const foreign = await createForeignCa();
    await expect(ping(foreign.certPem, client)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });
});

describe("Talos's PKI (docs/talos-pki.md)", () => {
  const x509Of = async (pem: string) => new (await loadX509()).X509Certificate(pem);

  it.each([
    ["os", "O=talos", "ed25519"],
    ["kubernetes", "O=kubernetes", "ec"],
    ["aggregator", "", "ec"],
    ["etcd", "O=etcd", "ec"],
  ] as const)("the %s CA: subject %j, key %s, Talos's extensions, 87600 h", async (kind, subject, keyType) => {
    const pair = await createTalosCa(kind);
    const x509 = await loadX509();
    const cert = await x509Of(pair.certPem);
    expect(cert.subject).toBe(subject);
    expect(cert.issuer).toBe(subject);
    expect(new crypto.X509Certificate(pair.certPem).publicKey.asymmetricKeyType).toBe(keyType);
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(87600 * 3_600_000);
    // Go's crypto/x509 writes them in this order.
    expect(cert.extensions.map((e) => [e.type, e.critical])).toEqual([
      ["2.5.29.15", true],
      ["2.5.29.37", false],
      ["2.5.29.19", true],
      ["2.5.29.14", false],
    ]);
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([SERVER_AUTH, CLIENT_AUTH]);
    expect(await cert.verify({ signatureOnly: true })).toBe(true);
  });

  it("1.10's CA key identifier is the key's SHA-1 (Go's default), later ones random", async () => {
    const x509 = await loadX509();
    const [old, current] = await Promise.all([createTalosCa("etcd", { talosVersion: "v1.10.6" }), createTalosCa("etcd", { talosVersion: "v1.13.0" })]);
    const skiOf = async (pem: string) => (await x509Of(pem)).getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
    const sha1 = async (pem: string) => Buffer.from(await (await x509Of(pem)).publicKey.getKeyIdentifier("SHA-1")).toString("hex");
    expect(await skiOf(old.certPem)).toBe(await sha1(old.certPem));
    expect(await skiOf(current.certPem)).not.toBe(await sha1(current.certPem));
  });

  it("leaves have no basic constraints and no SKI, an AKI equal to the CA's SKI, and the CA's key type", async () => {
    const x509 = await loadX509();
    const agg = await createTalosCa("aggregator");
    const leaf = await issueLeaf(agg, { commonName: "front-proxy-client", validHours: 8760, keyEncipherment: true, extKeyUsage: ["clientAuth"] });
    const cert = await x509Of(leaf.certPem);
    const caCert = await x509Of(agg.certPem);
    expect(cert.issuer).toBe("");
    expect(cert.getExtension(x509.BasicConstraintsExtension)).toBeNull();
    expect(cert.getExtension(x509.SubjectKeyIdentifierExtension)).toBeNull();
    expect(cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
    expect(cert.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
    expect(new crypto.X509Certificate(leaf.certPem).publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(await cert.verify({ publicKey: caCert.publicKey, signatureOnly: true })).toBe(true);
    // OpenSSL finds the issuer by that AKI.
    expect(new crypto.X509Certificate(leaf.certPem).checkIssued(new crypto.X509Certificate(agg.certPem))).toBe(true);
  });
});
