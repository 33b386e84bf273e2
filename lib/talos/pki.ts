/**
 * Talos's PKI: keys, CAs and leaf certificates shaped as Talos and siderolabs/crypto make them
 * (docs/talos-pki.md lists the facts and where each is read from), and keys re-encoded the way
 * talosctl writes them.
 *
 * One implementation for Minos's config generation (lib/talos/generate) and the simulator, so
 * what the simulator serves cannot drift from what Minos generates. Node-only (node:crypto, for
 * the PEM encodings WebCrypto lacks) but free of "server-only": the simulator runs as its own
 * process under tsx.
 */
import crypto from "node:crypto";
import { isIP } from "node:net";

import type * as X509 from "@peculiar/x509";

import { x509 } from "../utils/x509";
import { parseTalosVersion } from "./version";

/** Key types the PKI can mint. Talos uses Ed25519 for its OS CA and, by inheritance, its leaves. */
export type KeyAlgorithm = "ed25519" | "ecdsa-p256" | "rsa-2048";

/**
 * A certificate and its private key, both PEM. The key is always PKCS#8 (`PRIVATE KEY`), which
 * Node's `crypto.createPrivateKey` and grpc-js `credentials.createSsl` accept; only talosconfig
 * files carry Talos's `ED25519 PRIVATE KEY` header.
 */
export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

// ---------------------------------------------------------------------------------------------
// @peculiar/x509 loading
// ---------------------------------------------------------------------------------------------

/**
 * @peculiar/x509 with its Reflect shim installed (lib/utils/x509.ts). Kept async for the callers
 * (tests reading extensions) written when it had to be a dynamic import.
 */
export function loadX509(): Promise<typeof X509> {
  return Promise.resolve(x509);
}

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

type WebKey = CryptoKey;

interface AlgorithmSpec {
  /** For generateKey/importKey. */
  keyParams: Algorithm | EcKeyGenParams | RsaHashedKeyGenParams | RsaHashedImportParams | EcKeyImportParams;
  /** For signing certificates with a key of this type. */
  signing: Algorithm | EcdsaParams | RsaHashedImportParams;
}

const ALGORITHMS: Record<KeyAlgorithm, AlgorithmSpec> = {
  ed25519: { keyParams: { name: "Ed25519" }, signing: { name: "Ed25519" } },
  "ecdsa-p256": {
    keyParams: { name: "ECDSA", namedCurve: "P-256" } as EcKeyGenParams,
    signing: { name: "ECDSA", hash: "SHA-256" } as EcdsaParams,
  },
  "rsa-2048": {
    keyParams: {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    } as RsaHashedKeyGenParams,
    signing: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as RsaHashedImportParams,
  },
};

const TALOS_ED25519_HEADER = /-----(BEGIN|END) ED25519 PRIVATE KEY-----/g;

/**
 * Talos writes Ed25519 keys as PKCS#8 under the header `ED25519 PRIVATE KEY`, which OpenSSL (and
 * so Node and grpc-js) rejects; the body already is PKCS#8, so only the header changes.
 */
export function fromTalosKeyHeader(pem: string): string {
  return pem.replace(TALOS_ED25519_HEADER, "-----$1 PRIVATE KEY-----");
}

function keyAlgorithmOf(key: crypto.KeyObject): KeyAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === "ed25519") return "ed25519";
  if (type === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return "ecdsa-p256";
  if (type === "rsa") return "rsa-2048";
  throw new Error(`unsupported key type ${type ?? "unknown"}${type === "ec" ? ` (curve ${key.asymmetricKeyDetails?.namedCurve})` : ""}`);
}

async function generateKeyPair(alg: KeyAlgorithm): Promise<{ keys: CryptoKeyPair; keyPem: string }> {
  const keys = (await crypto.webcrypto.subtle.generateKey(ALGORITHMS[alg].keyParams, true, ["sign", "verify"])) as CryptoKeyPair;
  const der = Buffer.from(await crypto.webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  const keyPem = crypto.createPrivateKey({ key: der, format: "der", type: "pkcs8" }).export({ type: "pkcs8", format: "pem" }).toString();
  return { keys, keyPem };
}

/** Accepts PKCS#8, SEC1, PKCS#1 or Talos-header PEM and returns a signing key for WebCrypto. */
async function importSigningKey(keyPem: string): Promise<{ key: WebKey; alg: KeyAlgorithm }> {
  const keyObject = crypto.createPrivateKey(fromTalosKeyHeader(keyPem));
  const alg = keyAlgorithmOf(keyObject);
  const der = keyObject.export({ type: "pkcs8", format: "der" });
  const key = await crypto.webcrypto.subtle.importKey("pkcs8", der, ALGORITHMS[alg].keyParams, false, ["sign"]);
  return { key: key as WebKey, alg };
}

// ---------------------------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------------------------

const HOUR_MS = 3_600_000;

/** Positive, non-zero-leading serial, so the DER INTEGER is minimal and never negative. */
function randomSerial(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString("hex");
}

/** X.509 times have one-second resolution; truncating keeps notAfter − notBefore exact. */
function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/**
 * How a CA's Subject Key Identifier is made. Talos ≥ 1.11 (siderolabs/crypto ≥ 0.6.1,
 * x509/x509.go NewSubjectKeyID) sets 20 random bytes; Talos 1.10 (crypto 0.5.1) sets none, so Go's
 * crypto/x509 derives it as the SHA-1 of the public key.
 */
export type SubjectKeyIdStyle = "random" | "sha1";

/** Options for {@link createCa}. */
export interface CreateCaOptions {
  /**
   * Subject CN. Default none: Talos's CA template (siderolabs/crypto x509
   * NewSelfSignedCertificateAuthority) carries only Organization, so its CAs have no CN.
   */
  commonName?: string;
  /** Subject O. Default "talos", like Talos's OS CA; null for none. */
  organization?: string | null;
  /** Several Subject O values (one multi-valued RDN, as Go's pkix.Name writes them); overrides `organization`. */
  organizations?: string[];
  /** Default 3650 days (Talos: 87600 h). */
  validDays?: number;
  /** Default "ed25519", like Talos's OS CA. */
  keyAlgorithm?: KeyAlgorithm;
  /** Default now. */
  notBefore?: Date;
  /** Default "random" (Talos ≥ 1.11). */
  subjectKeyId?: SubjectKeyIdStyle;
}

/**
 * A subject as Go's pkix.Name.ToRDNSequence writes it for Talos's certificates: every O value in
 * one RDN, then the CN in its own; nothing for an empty list or an empty CN.
 */
function goName(organizations: readonly string[], commonName?: string): X509.JsonName {
  const name: X509.JsonName = [];
  if (organizations.length > 0) name.push({ O: [...organizations] });
  if (commonName) name.push({ CN: [commonName] });
  return name;
}

async function subjectKeyId(style: SubjectKeyIdStyle, publicKey: CryptoKey): Promise<X509.Extension> {
  if (style === "sha1") return x509.SubjectKeyIdentifierExtension.create(publicKey);
  return new x509.SubjectKeyIdentifierExtension(crypto.randomBytes(20).toString("hex"));
}

/**
 * Creates a self-signed CA shaped like Talos's (siderolabs/crypto x509/certificate_authority.go
 * NewSelfSignedCertificateAuthority): Subject = O values only, issuer = subject, keyUsage
 * digitalSignature|keyCertSign (critical), extKeyUsage serverAuth+clientAuth, basicConstraints
 * CA:TRUE (critical), a Subject Key Identifier, no Authority Key Identifier; extensions in Go's
 * order. Ed25519 unless told otherwise.
 */
export async function createCa(options: CreateCaOptions = {}): Promise<CertAndKey> {
  const organizations = options.organizations ?? (options.organization === null ? [] : [options.organization ?? "talos"]);
  const alg = options.keyAlgorithm ?? "ed25519";
  const notBefore = wholeSeconds(options.notBefore ?? new Date());
  const notAfter = new Date(notBefore.getTime() + (options.validDays ?? 3650) * 24 * HOUR_MS);
  const { keys, keyPem } = await generateKeyPair(alg);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: new x509.Name(goName(organizations, options.commonName)),
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHMS[alg].signing,
    keys,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.BasicConstraintsExtension(true, undefined, true),
      await subjectKeyId(options.subjectKeyId ?? "random", keys.publicKey),
    ],
  });
  return { certPem: cert.toString("pem") + "\n", keyPem };
}

/**
 * A second CA with nothing in common with the simulator's (different key and subject), for
 * tests that a server or client certificate from another CA is refused.
 */
export async function createForeignCa(options: CreateCaOptions = {}): Promise<CertAndKey> {
  return createCa({ organization: "not-talos", commonName: "minos-foreign-ca", ...options });
}

/** The CAs of a Talos secrets bundle. */
export type TalosCaKind = "os" | "kubernetes" | "aggregator" | "etcd";

/**
 * Talos's CAs (pkg/machinery/config/generate/secrets/ca.go, the same in 1.10–1.14):
 * - os: NewTalosCA, O=talos, Ed25519 (ECDSA only in FIPS mode, 1.11 alone);
 * - kubernetes: NewKubernetesCA, O=kubernetes, ECDSA P-256;
 * - aggregator: NewAggregatorCA, ECDSA P-256, CommonName("front-proxy") which the CA template
 *   ignores, so subject and issuer are EMPTY;
 * - etcd: NewEtcdCA, O=etcd, ECDSA P-256.
 * All valid CAValidityTime = 87600 h (secrets.go) from now.
 */
export const TALOS_CAS: Record<TalosCaKind, { organizations: string[]; keyAlgorithm: KeyAlgorithm }> = {
  os: { organizations: ["talos"], keyAlgorithm: "ed25519" },
  kubernetes: { organizations: ["kubernetes"], keyAlgorithm: "ecdsa-p256" },
  aggregator: { organizations: [], keyAlgorithm: "ecdsa-p256" },
  etcd: { organizations: ["etcd"], keyAlgorithm: "ecdsa-p256" },
};

/** Minor version of a Talos 1.x tag ("v1.10.3" → 10); null when it is not one (or not given). */
export function talos1Minor(version: string | undefined): number | null {
  const v = version === undefined ? null : parseTalosVersion(version);
  return v && v.major === 1 ? v.minor : null;
}

/** How a CA of this Talos version gets its key identifier (see {@link SubjectKeyIdStyle}); unknown: current. */
export function subjectKeyIdStyleOf(talosVersion: string | undefined): SubjectKeyIdStyle {
  const minor = talos1Minor(talosVersion);
  return minor !== null && minor <= 10 ? "sha1" : "random";
}

/** Creates one of Talos's CAs as the given Talos version's `gen secrets` would (see {@link TALOS_CAS}). */
export function createTalosCa(kind: TalosCaKind, options: { talosVersion?: string; notBefore?: Date; validDays?: number } = {}): Promise<CertAndKey> {
  return createCa({
    organizations: TALOS_CAS[kind].organizations,
    keyAlgorithm: TALOS_CAS[kind].keyAlgorithm,
    notBefore: options.notBefore,
    validDays: options.validDays,
    subjectKeyId: subjectKeyIdStyleOf(options.talosVersion),
  });
}

/** Extended key usages Talos's leaves carry. */
export type ExtKeyUsage = "serverAuth" | "clientAuth";

/** Options for {@link issueLeaf}: the fields siderolabs/crypto's x509 Options set on a leaf. */
export interface LeafOptions {
  /** Empty or absent: no CN (Go omits an empty CommonName). */
  commonName?: string;
  /** Subject O values, one multi-valued RDN before the CN (Go's pkix.Name order). */
  organizations?: string[];
  dnsNames?: string[];
  /** IPv4 or IPv6 literals. */
  ipAddresses?: string[];
  validHours: number;
  /** Default now (Talos's leaves start "now": NewDefaultOptions). */
  notBefore?: Date;
  /** Default: what Talos's NewKeyPair picks for the CA's signature algorithm (the CA's key type). */
  keyAlgorithm?: KeyAlgorithm;
  /** Default digitalSignature only (NewDefaultOptions); Kubernetes and etcd leaves add keyEncipherment. */
  keyEncipherment?: boolean;
  /** Default serverAuth+clientAuth (NewDefaultOptions). */
  extKeyUsage?: ExtKeyUsage[];
}

const EKU_OID: Record<ExtKeyUsage, string> = {
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
};

/**
 * Issues a leaf the way siderolabs/crypto's NewCertificateFromCSR does (x509/certificate.go):
 * subject from the CSR, issuer = the CA's subject (empty for the aggregator CA), no basic
 * constraints (BasicConstraintsValid: false), keyUsage critical, the EKUs asked for, an Authority
 * Key Identifier from the CA's SKI and no SKI of its own (Go adds one to CAs only), SANs DNS
 * names then IPs.
 */
export async function issueLeaf(ca: CertAndKey, options: LeafOptions): Promise<CertAndKey> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const signer = await importSigningKey(ca.keyPem);
  const { keys, keyPem } = await generateKeyPair(options.keyAlgorithm ?? signer.alg);
  const notBefore = wholeSeconds(options.notBefore ?? new Date());
  const names: X509.JsonGeneralName[] = [
    ...(options.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(options.ipAddresses ?? []).map((value) => {
      if (!isIP(value)) throw new Error(`issueLeaf: ${JSON.stringify(value)} is not an IP address`);
      return { type: "ip" as const, value };
    }),
  ];
  const caSki = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  const usage = x509.KeyUsageFlags.digitalSignature | (options.keyEncipherment ? x509.KeyUsageFlags.keyEncipherment : 0);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: new x509.Name(goName(options.organizations ?? [], options.commonName)),
    issuer: caCert.subjectName,
    notBefore,
    notAfter: new Date(notBefore.getTime() + options.validHours * HOUR_MS),
    signingAlgorithm: ALGORITHMS[signer.alg].signing,
    publicKey: keys.publicKey,
    signingKey: signer.key,
    extensions: [
      new x509.KeyUsagesExtension(usage, true),
      new x509.ExtendedKeyUsageExtension((options.extKeyUsage ?? ["serverAuth", "clientAuth"]).map((u) => EKU_OID[u])),
      ...(caSki ? [new x509.AuthorityKeyIdentifierExtension(caSki.keyId)] : []),
      ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
    ],
  });
  return { certPem: cert.toString("pem") + "\n", keyPem };
}

/** Options for {@link issueServerCert}. */
export interface ServerCertOptions {
  /** Talos uses the node's FQDN. */
  commonName: string;
  dnsNames?: string[];
  /** IPv4 or IPv6 literals. */
  ipAddresses?: string[];
  /** Default 24 (Talos regenerates apid certs every 12 h with a 24 h life). */
  validHours?: number;
  /** Default now; set in the past to mint an expired certificate. */
  notBefore?: Date;
  /** Default: the CA's key type. */
  keyAlgorithm?: KeyAlgorithm;
}

/**
 * Issues an apid-style server certificate signed by `ca` (internal/app/machined/pkg/controllers/
 * secrets/api.go generateControlPlane): CN as given, keyUsage digitalSignature, EKU serverAuth,
 * SANs from `dnsNames` and `ipAddresses`. Clients dial an address that must be among these SANs.
 */
export async function issueServerCert(ca: CertAndKey, options: ServerCertOptions): Promise<CertAndKey> {
  for (const ip of options.ipAddresses ?? []) {
    if (!isIP(ip)) throw new Error(`issueServerCert: ${JSON.stringify(ip)} is not an IP address`);
  }
  return issueLeaf(ca, {
    commonName: options.commonName,
    dnsNames: options.dnsNames,
    ipAddresses: options.ipAddresses,
    validHours: options.validHours ?? 24,
    notBefore: options.notBefore,
    keyAlgorithm: options.keyAlgorithm,
    extKeyUsage: ["serverAuth"],
  });
}

/** Options for {@link issueClientCert}. */
export interface ClientCertOptions {
  /** Talos roles, e.g. ["os:admin"]; the Subject O values, sorted as Talos's role.Set.Strings(). */
  roles: string[];
  /** Default none: Talos's talosconfig certificates (secrets/ca.go NewAdminCertificateAndKey) have no CN. */
  commonName?: string;
  /** Default 8760 (1 year: constants.TalosAPIDefaultCertificateValidityDuration). */
  validHours?: number;
  /** Default now; set in the past (with a short validHours) to mint an expired certificate. */
  notBefore?: Date;
  /** Default: the CA's key type. */
  keyAlgorithm?: KeyAlgorithm;
}

/**
 * Issues a talosconfig client certificate signed by `ca` as NewAdminCertificateAndKey does:
 * Subject O = each role (sorted, one RDN), no CN unless asked, keyUsage digitalSignature, EKU
 * clientAuth only (apid refuses any other EKU set).
 */
export async function issueClientCert(ca: CertAndKey, options: ClientCertOptions): Promise<CertAndKey> {
  return issueLeaf(ca, {
    organizations: [...options.roles].sort(),
    commonName: options.commonName,
    validHours: options.validHours ?? 8760,
    notBefore: options.notBefore,
    keyAlgorithm: options.keyAlgorithm,
    extKeyUsage: ["clientAuth"],
  });
}

// ---------------------------------------------------------------------------------------------
// Key encodings
// ---------------------------------------------------------------------------------------------

/**
 * Re-encodes a private key the way talosctl writes it into a talosconfig: Ed25519 as PKCS#8 under
 * the `ED25519 PRIVATE KEY` header, ECDSA as SEC1 `EC PRIVATE KEY`, RSA as PKCS#1 `RSA PRIVATE KEY`.
 */
export function toTalosKeyPem(keyPem: string): string {
  const key = crypto.createPrivateKey(fromTalosKeyHeader(keyPem));
  switch (key.asymmetricKeyType) {
    case "ed25519":
      return key.export({ type: "pkcs8", format: "pem" }).toString().replace(/-----(BEGIN|END) PRIVATE KEY-----/g, "-----$1 ED25519 PRIVATE KEY-----");
    case "ec":
      return key.export({ type: "sec1", format: "pem" }).toString();
    case "rsa":
      return key.export({ type: "pkcs1", format: "pem" }).toString();
    default:
      throw new Error(`toTalosKeyPem: unsupported key type ${key.asymmetricKeyType ?? "unknown"}`);
  }
}

/** True when `pair.keyPem` (any PEM style Talos or OpenSSL writes) is the private key of `pair.certPem`. */
export function keyMatchesCert(pair: CertAndKey): boolean {
  try {
    return new crypto.X509Certificate(pair.certPem).checkPrivateKey(crypto.createPrivateKey(fromTalosKeyHeader(pair.keyPem)));
  } catch {
    return false;
  }
}
