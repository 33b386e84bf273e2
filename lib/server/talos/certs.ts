import "server-only";

import crypto from "node:crypto";

import { pemSpans } from "@/lib/utils/pem";
import { x509 } from "@/lib/utils/x509";

/** One PEM block: its label (e.g. "CERTIFICATE", "ED25519 PRIVATE KEY") and full text. */
export interface PemBlock {
  label: string;
  pem: string;
}

/** Every PEM block in `text`, in order (linear time). Text between blocks (comments, blank lines) is ignored. */
export function splitPemBlocks(text: string): PemBlock[] {
  return pemSpans(text).map((b) => ({ label: b.label, pem: `${text.slice(b.start, b.end)}\n` }));
}

/** One attribute of a distinguished name, e.g. `{ type: "O", value: "os:admin" }`. */
export interface DnAttribute {
  type: string;
  value: string;
}

/** A certificate Minos could not read, with why. */
export class CertParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CertParseError";
  }
}

/** The facts about a certificate that Minos shows or decides on. */
export interface CertFacts {
  /**
   * One-line subject, e.g. "O=os:admin, CN=admin"; "" for an empty subject (Talos's aggregator
   * CA has one: its generator sets only a common name, which Talos's CA template ignores).
   */
  subject: string;
  /** One-line issuer, same form; "" when empty. */
  issuer: string;
  subjectAttributes: DnAttribute[];
  commonName: string | null;
  /** Subject Organization values in certificate order, empty ones dropped (Talos ignores them). */
  organizations: string[];
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 fingerprint of the DER, colon-separated upper-case hex (as `X509Certificate.fingerprint256`). */
  fingerprint256: string;
  /** Upper-case hex without leading zero bytes (as `X509Certificate.serialNumber`). */
  serialNumber: string;
  isCa: boolean;
  /** "Ed25519", "ECDSA P-256", "RSA 2048"…: what Talos's version and generator chose. */
  keyAlgorithm: string;
}

/** RDNs in certificate order; a multi-valued RDN's attributes in their order; one entry per value. */
function attributesOf(name: InstanceType<typeof x509.Name>): DnAttribute[] {
  const out: DnAttribute[] = [];
  for (const rdn of name.toJSON()) {
    for (const [type, values] of Object.entries(rdn)) for (const value of values) out.push({ type, value });
  }
  return out;
}

/** "O=a, O=b, CN=c"; no escaping: a display string, never parsed back. */
export function formatDistinguishedName(attrs: readonly DnAttribute[]): string {
  return attrs.map((a) => `${a.type}=${a.value}`).join(", ");
}

function keyAlgorithmOf(cert: InstanceType<typeof x509.X509Certificate>): string {
  const alg = cert.publicKey.algorithm as Algorithm & { namedCurve?: string };
  if (alg.name === "Ed25519" || alg.name === "Ed448") return alg.name;
  if (alg.name === "ECDSA" || alg.name === "ECDH") return `ECDSA ${alg.namedCurve ?? "(unknown curve)"}`;
  if (alg.name.startsWith("RSA")) {
    try {
      const key = crypto.createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: "der", type: "spki" });
      return `RSA ${key.asymmetricKeyDetails?.modulusLength ?? ""}`.trim();
    } catch {
      return "RSA";
    }
  }
  return alg.name;
}

const hexColons = (buf: Buffer) => buf.toString("hex").toUpperCase().replace(/(..)(?!$)/g, "$1:");

/**
 * Reads {@link CertFacts} from one PEM (or DER) certificate with @peculiar/x509, which, unlike
 * Node's `X509Certificate.subject` (undefined for an empty name), accepts every certificate Talos
 * issues or accepts: empty subject or issuer, no CN, several O values, Ed25519, ECDSA and RSA keys.
 *
 * @throws CertParseError when the text holds no certificate or it is not valid X.509.
 */
export function readCertFacts(cert: string | Uint8Array): CertFacts {
  let parsed: InstanceType<typeof x509.X509Certificate>;
  try {
    parsed = new x509.X509Certificate(typeof cert === "string" ? cert : new Uint8Array(cert));
  } catch (e) {
    throw new CertParseError(`not a valid X.509 certificate: ${(e as Error).message || String(e)}`, { cause: e });
  }
  try {
    const subjectAttributes = attributesOf(parsed.subjectName);
    const issuerAttributes = attributesOf(parsed.issuerName);
    const der = Buffer.from(parsed.rawData);
    const basic = parsed.getExtension(x509.BasicConstraintsExtension);
    return {
      subject: formatDistinguishedName(subjectAttributes),
      issuer: formatDistinguishedName(issuerAttributes),
      subjectAttributes,
      commonName: subjectAttributes.find((a) => a.type === "CN")?.value ?? null,
      organizations: subjectAttributes.filter((a) => a.type === "O" && a.value !== "").map((a) => a.value),
      notBefore: parsed.notBefore,
      notAfter: parsed.notAfter,
      fingerprint256: hexColons(crypto.createHash("sha256").update(der).digest()),
      serialNumber: parsed.serialNumber.replace(/^(00)+(?=.)/, "").toUpperCase(),
      isCa: basic?.ca ?? false,
      keyAlgorithm: keyAlgorithmOf(parsed),
    };
  } catch (e) {
    throw new CertParseError(`the certificate could not be read: ${(e as Error).message || String(e)}`, { cause: e });
  }
}
