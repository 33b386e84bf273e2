import "server-only";

import crypto from "node:crypto";

/** One PEM block: its label (e.g. "CERTIFICATE", "ED25519 PRIVATE KEY") and full text. */
export interface PemBlock {
  label: string;
  pem: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;

/** Every PEM block in `text`, in order. Text between blocks (comments, blank lines) is ignored. */
export function splitPemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1]!, pem: `${m[0]}\n` }));
}

/**
 * Talos writes Ed25519 keys as PKCS#8 under the header `ED25519 PRIVATE KEY`, which OpenSSL (and
 * so Node and grpc-js) rejects; the body already is PKCS#8, so only the header changes.
 */
export function rewriteTalosKeyHeader(pem: string): string {
  return pem.replace(/-----(BEGIN|END) ED25519 PRIVATE KEY-----/g, "-----$1 PRIVATE KEY-----");
}

/** One attribute of a distinguished name, e.g. `{ type: "O", value: "os:admin" }`. */
export interface DnAttribute {
  type: string;
  value: string;
}

/**
 * Parses Node's `X509Certificate.subject`/`.issuer` string. Node prints one RDN per line, the
 * attributes of a multi-valued RDN joined by " + ", and values escaped per RFC 2253 (`\,`, `\+`,
 * `\\`, control characters as `\XX` hex), so splitting on unescaped separators is exact.
 */
export function parseNodeDistinguishedName(dn: string): DnAttribute[] {
  const attrs: DnAttribute[] = [];
  for (const line of dn.split("\n")) {
    if (line === "") continue;
    for (const part of splitUnescaped(line, " + ")) {
      const eq = part.indexOf("=");
      if (eq <= 0) continue;
      attrs.push({ type: part.slice(0, eq), value: unescapeRfc2253(part.slice(eq + 1)) });
    }
  }
  return attrs;
}

function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\") {
      i++;
    } else if (s.startsWith(sep, i)) {
      out.push(s.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function unescapeRfc2253(value: string): string {
  const bytes: number[] = [];
  const push = (str: string) => bytes.push(...Buffer.from(str, "utf8"));
  let v = value;
  // A value printed as a quoted string keeps its quotes; strip them.
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c !== "\\") {
      push(c);
      continue;
    }
    const hex = v.slice(i + 1, i + 3);
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (i + 1 < v.length) {
      push(v[++i]!);
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** The facts about a certificate that Minos shows or decides on. */
export interface CertFacts {
  /** One-line subject, e.g. "O=os:admin, CN=admin". */
  subject: string;
  commonName: string | null;
  /** Subject Organization values in certificate order, empty ones dropped (Talos ignores them). */
  organizations: string[];
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 fingerprint, colon-separated upper-case hex (as `X509Certificate.fingerprint256`). */
  fingerprint256: string;
  isCa: boolean;
}

/** Reads {@link CertFacts} from a parsed certificate. */
export function readCertFacts(cert: crypto.X509Certificate): CertFacts {
  const attrs = parseNodeDistinguishedName(cert.subject);
  return {
    subject: attrs.map((a) => `${a.type}=${a.value}`).join(", "),
    commonName: attrs.find((a) => a.type === "CN")?.value ?? null,
    organizations: attrs.filter((a) => a.type === "O" && a.value !== "").map((a) => a.value),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    fingerprint256: cert.fingerprint256,
    isCa: cert.ca,
  };
}
