/**
 * A Talos-like PKI for the simulator: an OS CA, per-node apid server certificates, role-bearing
 * client certificates and real talosconfig files.
 *
 * Mirrors what Talos generates (shared/talos-api.md §1 and §7): an Ed25519 CA with O=talos valid
 * 10 years; apid server certs valid 24 h with EKU serverAuth; client certs whose Subject
 * Organization values are the roles, with EKU clientAuth only (apid rejects anything else).
 *
 * Plain Node module (no "server-only"): the simulator runs as its own process under tsx.
 */
import crypto from "node:crypto";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import path from "node:path";

import type * as X509 from "@peculiar/x509";
import { stringify } from "yaml";

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
 * @peculiar/x509 2.x resolves its algorithms through tsyringe, which throws at import time unless
 * a Reflect metadata polyfill (reflect-metadata, core-js…) is installed, and none is a dependency.
 * tsyringe only needs these three functions to register x509's classes, so a tiny WeakMap store
 * suffices; a real polyfill, if one is loaded first, is left alone.
 */
function ensureReflectMetadata(): void {
  const r = Reflect as unknown as Record<string, unknown>;
  if (typeof r.getMetadata === "function") return;
  const store = new WeakMap<object, Map<unknown, unknown>>();
  r.defineMetadata = (key: unknown, value: unknown, target: object) => {
    let m = store.get(target);
    if (!m) store.set(target, (m = new Map()));
    m.set(key, value);
  };
  r.getOwnMetadata = (key: unknown, target: object) => store.get(target)?.get(key);
  r.getMetadata = (key: unknown, target: object) => {
    for (let o: object | null = target; o; o = Object.getPrototypeOf(o) as object | null) {
      const m = store.get(o);
      if (m?.has(key)) return m.get(key);
    }
    return undefined;
  };
}

let x509Promise: Promise<typeof X509> | undefined;

/**
 * Loads @peculiar/x509 with the Reflect shim installed first and Node's WebCrypto as its provider.
 * A dynamic import, because a static one would be evaluated before any shim in this module.
 * Use this instead of importing "@peculiar/x509" directly (e.g. in tests reading extensions).
 */
export function loadX509(): Promise<typeof X509> {
  x509Promise ??= (async () => {
    ensureReflectMetadata();
    const x509 = await import("@peculiar/x509");
    x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);
    return x509;
  })();
  return x509Promise;
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

/** Talos's `ED25519 PRIVATE KEY` PEM carries a PKCS#8 body; OpenSSL only knows `PRIVATE KEY`. */
function fromTalosKeyHeader(pem: string): string {
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

/** Options for {@link createCa}. */
export interface CreateCaOptions {
  /** Default `organization` (Talos's CA has O=talos and no CN of note). */
  commonName?: string;
  /** Subject O. Default "talos", like Talos's OS CA. */
  organization?: string;
  /** Default 3650 days (Talos: 87600 h). */
  validDays?: number;
  /** Default "ed25519", like Talos. */
  keyAlgorithm?: KeyAlgorithm;
  /** Default now. */
  notBefore?: Date;
}

/**
 * Creates a self-signed CA: basicConstraints CA:TRUE (critical), keyUsage
 * keyCertSign|digitalSignature|cRLSign, a subject key identifier. Ed25519 unless told otherwise.
 */
export async function createCa(options: CreateCaOptions = {}): Promise<CertAndKey> {
  const x509 = await loadX509();
  const organization = options.organization ?? "talos";
  const alg = options.keyAlgorithm ?? "ed25519";
  const notBefore = wholeSeconds(options.notBefore ?? new Date());
  const notAfter = new Date(notBefore.getTime() + (options.validDays ?? 3650) * 24 * HOUR_MS);
  const { keys, keyPem } = await generateKeyPair(alg);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: new x509.Name([{ O: [organization] }, { CN: [options.commonName ?? organization] }]),
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHMS[alg].signing,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
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

interface LeafOptions {
  subject: X509.JsonName;
  validHours: number;
  notBefore?: Date;
  keyAlgorithm?: KeyAlgorithm;
  extensions: (x509: typeof X509) => X509.Extension[];
}

async function issueLeaf(ca: CertAndKey, options: LeafOptions): Promise<CertAndKey> {
  const x509 = await loadX509();
  const caCert = new x509.X509Certificate(ca.certPem);
  const signer = await importSigningKey(ca.keyPem);
  // Talos's NewKeyPair uses the CA's key type for the leaf.
  const { keys, keyPem } = await generateKeyPair(options.keyAlgorithm ?? signer.alg);
  const notBefore = wholeSeconds(options.notBefore ?? new Date());
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: new x509.Name(options.subject),
    issuer: caCert.subjectName,
    notBefore,
    notAfter: new Date(notBefore.getTime() + options.validHours * HOUR_MS),
    signingAlgorithm: ALGORITHMS[signer.alg].signing,
    publicKey: keys.publicKey,
    signingKey: signer.key,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      ...options.extensions(x509),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
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
 * Issues an apid-style server certificate signed by `ca`: EKU serverAuth, keyUsage
 * digitalSignature, SANs from `dnsNames` and `ipAddresses`. Clients dial an address that must be
 * among these SANs.
 */
export async function issueServerCert(ca: CertAndKey, options: ServerCertOptions): Promise<CertAndKey> {
  const names: X509.JsonGeneralName[] = [
    ...(options.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(options.ipAddresses ?? []).map((value) => {
      if (!isIP(value)) throw new Error(`issueServerCert: ${JSON.stringify(value)} is not an IP address`);
      return { type: "ip" as const, value };
    }),
  ];
  return issueLeaf(ca, {
    subject: [{ CN: [options.commonName] }],
    validHours: options.validHours ?? 24,
    notBefore: options.notBefore,
    keyAlgorithm: options.keyAlgorithm,
    extensions: (x509) => [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
    ],
  });
}

/** Options for {@link issueClientCert}. */
export interface ClientCertOptions {
  /** Talos roles, e.g. ["os:admin"]; each becomes one Subject O value, sorted like Talos does. */
  roles: string[];
  /** Default "minos-sim-<role without os:>" joined by "-". */
  commonName?: string;
  /** Default 8760 (1 year, Talos's default `--crt-ttl`). */
  validHours?: number;
  /** Default now; set in the past (with a short validHours) to mint an expired certificate. */
  notBefore?: Date;
  /** Default: the CA's key type. */
  keyAlgorithm?: KeyAlgorithm;
}

/**
 * Issues a talosconfig client certificate signed by `ca`: Subject O = each role (sorted), keyUsage
 * digitalSignature, EKU clientAuth only (apid refuses any other EKU set).
 */
export async function issueClientCert(ca: CertAndKey, options: ClientCertOptions): Promise<CertAndKey> {
  const roles = [...options.roles].sort();
  const commonName = options.commonName ?? `minos-sim-${roles.map((r) => r.replace(/^os:/, "").replaceAll(":", "-")).join("-") || "client"}`;
  return issueLeaf(ca, {
    subject: [...roles.map((role) => ({ O: [role] })), { CN: [commonName] }],
    validHours: options.validHours ?? 8760,
    notBefore: options.notBefore,
    keyAlgorithm: options.keyAlgorithm,
    extensions: (x509) => [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
}

// ---------------------------------------------------------------------------------------------
// talosconfig files
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

/** One talosconfig context; `ca`, `crt` and `key` are PEM (base64-encoded when written). */
export interface TalosconfigContextInput {
  endpoints: string[];
  nodes: string[];
  ca: string;
  crt: string;
  key: string;
}

/** Input for {@link renderTalosconfig} / {@link writeTalosconfig}. */
export interface TalosconfigInput {
  contexts: Record<string, TalosconfigContextInput>;
  /** The current context; must be one of `contexts`. */
  current: string;
}

const b64 = (pem: string) => Buffer.from(pem, "utf8").toString("base64");

/** Renders talosconfig YAML as talosctl writes it (values base64 of PEM, Talos key headers). */
export function renderTalosconfig(config: TalosconfigInput): string {
  if (!(config.current in config.contexts)) {
    throw new Error(`renderTalosconfig: current context ${JSON.stringify(config.current)} is not among the contexts`);
  }
  const contexts = Object.fromEntries(
    Object.entries(config.contexts).map(([name, c]) => [
      name,
      { endpoints: c.endpoints, nodes: c.nodes, ca: b64(c.ca), crt: b64(c.crt), key: b64(toTalosKeyPem(c.key)) },
    ]),
  );
  return stringify({ context: config.current, contexts }, { lineWidth: 0 });
}

/** Writes a file atomically (temp file + rename) with the given mode, whatever the umask. */
async function writeFileAtomic(file: string, data: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  await writeFile(tmp, data, { mode });
  await chmod(tmp, mode);
  await rename(tmp, file);
}

/** Writes a real talosconfig (see {@link renderTalosconfig}) to `file`, mode 0600. */
export async function writeTalosconfig(file: string, config: TalosconfigInput): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, renderTalosconfig(config), 0o600);
}

// ---------------------------------------------------------------------------------------------
// Persistent PKI for a simulator state directory
// ---------------------------------------------------------------------------------------------

/** The three client identities the simulator hands out, and the role each carries. */
export const SIM_CLIENT_ROLES = {
  admin: "os:admin",
  operator: "os:operator",
  reader: "os:reader",
} as const;
export type SimClientName = keyof typeof SIM_CLIENT_ROLES;

/** talosconfig file name per client identity, in the output directory. */
export const SIM_TALOSCONFIG_FILES: Record<SimClientName, string> = {
  admin: "talosconfig",
  operator: "talosconfig-operator",
  reader: "talosconfig-reader",
};

/** A simulated node's identity, for its apid server certificate. */
export interface SimNodeIdentity {
  hostname: string;
  /** Addresses clients dial (IP literals become IP SANs, names DNS SANs). */
  addresses: string[];
  /** Optional domain; the FQDN becomes the CN and a DNS SAN, as in Talos. */
  domain?: string;
}

/** What {@link loadOrCreatePki} returns. */
export interface SimulatorPki {
  stateDir: string;
  /** The OS CA, persisted as `ca.crt` / `ca.key`. */
  ca: CertAndKey;
  /** Client certificates, persisted as `client-<name>.crt` / `.key`. */
  clients: Record<SimClientName, CertAndKey>;
  /**
   * Issues a fresh 24 h apid certificate for a node: SANs are its addresses, 127.0.0.1, its
   * hostname and FQDN (as Talos does). Not persisted: call it at each start.
   */
  issueNodeCert(node: SimNodeIdentity, options?: { validHours?: number; notBefore?: Date }): Promise<CertAndKey>;
}

/** Options for {@link loadOrCreatePki}. */
export interface LoadOrCreatePkiOptions {
  /** Key type for a new CA (an existing CA keeps its own). Default "ed25519". */
  keyAlgorithm?: KeyAlgorithm;
  /** Client certs with less than this left are reissued. Default 1 hour. */
  minRemainingMs?: number;
  /** Injected clock for tests. */
  now?: () => Date;
  /** Validity of a new CA (an existing CA keeps its own). Default 3650 days, as Talos. */
  caValidDays?: number;
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

function keyMatchesCert(pair: CertAndKey): boolean {
  try {
    return new crypto.X509Certificate(pair.certPem).checkPrivateKey(crypto.createPrivateKey(fromTalosKeyHeader(pair.keyPem)));
  } catch {
    return false;
  }
}

async function savePair(stateDir: string, base: string, pair: CertAndKey): Promise<void> {
  // Key first: a crash between the two writes then leaves a cert-less key, which is reissued.
  await writeFileAtomic(path.join(stateDir, `${base}.key`), pair.keyPem, 0o600);
  await writeFileAtomic(path.join(stateDir, `${base}.crt`), pair.certPem, 0o644);
}

async function loadPair(stateDir: string, base: string): Promise<CertAndKey | null> {
  const [certPem, keyPem] = await Promise.all([
    readIfExists(path.join(stateDir, `${base}.crt`)),
    readIfExists(path.join(stateDir, `${base}.key`)),
  ]);
  return certPem !== null && keyPem !== null ? { certPem, keyPem } : null;
}

/**
 * Loads the simulator's PKI from `stateDir`, creating what is missing.
 *
 * - The CA (`ca.crt`, `ca.key`) is created once and reused on every later start, so talosconfig
 *   files handed out earlier keep working. A half-present or unusable CA is an error (delete the
 *   state directory to start over) rather than silently replaced.
 * - Client certificates (`client-{admin,operator,reader}.{crt,key}`) are reused, and reissued when
 *   missing, unreadable, not from this CA, or within `minRemainingMs` of expiry.
 * - Node server certificates are not persisted: use {@link SimulatorPki.issueNodeCert} per start.
 *
 * Keys are written 0600, certificates 0644, the directory 0700.
 */
export async function loadOrCreatePki(stateDir: string, options: LoadOrCreatePkiOptions = {}): Promise<SimulatorPki> {
  const now = options.now ?? (() => new Date());
  const minRemainingMs = options.minRemainingMs ?? HOUR_MS;
  await mkdir(stateDir, { recursive: true, mode: 0o700 });

  let ca = await loadPair(stateDir, "ca");
  if (ca) {
    const caCert = new crypto.X509Certificate(ca.certPem);
    if (!caCert.ca || !keyMatchesCert(ca)) {
      throw new Error(`PKI state in ${stateDir} is unusable: ca.crt is not a CA or does not match ca.key; delete the directory to start over`);
    }
  } else {
    const halfThere = (await readIfExists(path.join(stateDir, "ca.crt"))) ?? (await readIfExists(path.join(stateDir, "ca.key")));
    if (halfThere !== null) {
      throw new Error(`PKI state in ${stateDir} has only one of ca.crt and ca.key; delete the directory to start over`);
    }
    ca = await createCa({ keyAlgorithm: options.keyAlgorithm, validDays: options.caValidDays });
    await savePair(stateDir, "ca", ca);
  }
  const caPair = ca;
  const caCert = new crypto.X509Certificate(caPair.certPem);

  const usable = (pair: CertAndKey | null): pair is CertAndKey => {
    if (!pair || !keyMatchesCert(pair)) return false;
    const cert = new crypto.X509Certificate(pair.certPem);
    const remaining = new Date(cert.validTo).getTime() - now().getTime();
    return cert.checkIssued(caCert) && cert.verify(caCert.publicKey) && remaining > minRemainingMs;
  };

  const clients = {} as Record<SimClientName, CertAndKey>;
  for (const name of Object.keys(SIM_CLIENT_ROLES) as SimClientName[]) {
    const base = `client-${name}`;
    const existing = await loadPair(stateDir, base);
    if (usable(existing)) {
      clients[name] = existing;
    } else {
      clients[name] = await issueClientCert(caPair, { roles: [SIM_CLIENT_ROLES[name]] });
      await savePair(stateDir, base, clients[name]);
    }
  }

  return {
    stateDir,
    ca: caPair,
    clients,
    issueNodeCert(node, opts = {}) {
      const fqdn = node.domain ? `${node.hostname}.${node.domain}` : node.hostname;
      const ips = new Set<string>(["127.0.0.1"]);
      const dns = new Set<string>([node.hostname, fqdn]);
      for (const a of node.addresses) (isIP(a) ? ips : dns).add(a);
      return issueServerCert(caPair, {
        commonName: fqdn,
        dnsNames: [...dns],
        ipAddresses: [...ips],
        validHours: opts.validHours,
        notBefore: opts.notBefore,
      });
    },
  };
}
