/**
 * Certificates and keys held in the config must decode: v1alpha1 stores base64 of PEM, the 1.14
 * Kube*CAConfig documents plain PEM. Certificates are parsed as X.509 with the isomorphic
 * @peculiar/asn1 packages (synchronous, no WebCrypto, no Node crypto: the browser runs this too).
 */
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";

import type { Obj, PathSegment, Rule, RuleIssue } from "./types";
import { arr, error, get, obj, str } from "./util";
import { pemSpans } from "../../utils/pem";

interface PemBlock {
  type: string;
  der: Uint8Array | null;
}


function base64ToBytes(b64: string): Uint8Array | null {
  const clean = b64.replace(/\s+/g, "");
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return null;
  const bin = atob(clean);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The blocks of a PEM text (found in linear time, lib/utils/pem.ts), each body decoded. */
export function pemBlocks(text: string): PemBlock[] {
  // Drop PEM headers ("Proc-Type: …") before the base64 body.
  return pemSpans(text).map((b) => ({ type: b.label, der: base64ToBytes(b.body.replace(/^[^\n]*:[^\n]*$/gm, "")) }));
}

const bytesToText = (b: Uint8Array): string => {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
};

// Validation runs on every keystroke in the editor: remember recent verdicts per value.
const cache = new Map<string, string | null>();
const CACHE_MAX = 256;
function cached(key: string, compute: () => string | null): string | null {
  const hit = cache.get(key);
  if (hit !== undefined || cache.has(key)) return hit ?? null;
  const v = compute();
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, v);
  return v;
}

/** Error text for a PEM certificate (bundle), or null when every block parses as X.509. */
export function pemCertificateError(pem: string): string | null {
  return cached(`c:${pem}`, () => {
    const blocks = pemBlocks(pem);
    if (blocks.length === 0) return "no PEM certificate found";
    for (const b of blocks) {
      if (b.type !== "CERTIFICATE") return `unexpected PEM block type ${JSON.stringify(b.type)} (expected CERTIFICATE)`;
      if (!b.der || b.der.length === 0) return "PEM body is not valid base64";
      try {
        AsnConvert.parse(b.der, Certificate);
      } catch (e) {
        return `not a valid X.509 certificate (${(e as Error).message})`;
      }
    }
    return null;
  });
}

/** Error text for a PEM private key, or null. */
export function pemKeyError(pem: string): string | null {
  return cached(`k:${pem}`, () => {
    const blocks = pemBlocks(pem);
    if (blocks.length === 0) return "no PEM private key found";
    const b = blocks[0]!;
    if (!b.type.endsWith("PRIVATE KEY")) return `unexpected PEM block type ${JSON.stringify(b.type)} (expected a PRIVATE KEY)`;
    if (!b.der || b.der.length === 0) return "PEM body is not valid base64";
    return null;
  });
}

/** v1alpha1 form: base64 of PEM. */
function b64PemError(value: string, kind: "certificate" | "key"): string | null {
  return cached(`b${kind}:${value}`, () => {
    const bytes = base64ToBytes(value);
    if (!bytes) return `not valid base64 (expected base64-encoded PEM ${kind === "key" ? "private key" : "certificate"})`;
    const text = bytesToText(bytes);
    return kind === "certificate" ? pemCertificateError(text) : pemKeyError(text);
  });
}

function checkV1Alpha1(v: unknown, path: PathSegment[], kind: "certificate" | "key", out: RuleIssue[]): void {
  const s = str(v);
  if (s === undefined || s === "") return;
  const err = b64PemError(s, kind);
  if (err) out.push(error(path, `${path.filter((p) => typeof p === "string").join(".")}: ${kind === "key" ? "private key" : "certificate"} is invalid: ${err}`));
}

/** `acceptedCAs` is a list of `{crt}` in Talos (the published schemas say one object): accept both. */
function acceptedCAs(v: unknown, base: PathSegment[], out: RuleIssue[]): void {
  if (Array.isArray(v)) v.forEach((x, i) => checkV1Alpha1(obj(x)?.crt, [...base, i, "crt"], "certificate", out));
  else checkV1Alpha1(obj(v)?.crt, [...base, "crt"], "certificate", out);
}

/** Certificates and keys of the v1alpha1 document. */
export const v1alpha1Certificates: Rule = (doc) => {
  const out: RuleIssue[] = [];
  const pairs: PathSegment[][] = [
    ["machine", "ca"],
    ["cluster", "ca"],
    ["cluster", "aggregatorCA"],
    ["cluster", "etcd", "ca"],
  ];
  for (const p of pairs) {
    const pair = obj(get(doc, ...p));
    if (!pair) continue;
    checkV1Alpha1(pair.crt, [...p, "crt"], "certificate", out);
    checkV1Alpha1(pair.key, [...p, "key"], "key", out);
  }
  acceptedCAs(get(doc, "machine", "acceptedCAs"), ["machine", "acceptedCAs"], out);
  acceptedCAs(get(doc, "cluster", "acceptedCAs"), ["cluster", "acceptedCAs"], out);
  checkV1Alpha1(get(doc, "cluster", "serviceAccount", "key"), ["cluster", "serviceAccount", "key"], "key", out);
  return out;
};

function checkPem(v: unknown, path: PathSegment[], kind: "certificate" | "key", out: RuleIssue[]): void {
  const s = str(v);
  if (s === undefined || s === "") return;
  const err = kind === "certificate" ? pemCertificateError(s) : pemKeyError(s);
  if (err) out.push(error(path, `${kind === "key" ? "private key" : "certificate"} is invalid: ${err}`));
}

/** KubeAPIServerCAConfig / KubeAggregatorCAConfig (1.14): plain PEM. */
export const kubeCACertificates: Rule = (doc: Obj) => {
  const out: RuleIssue[] = [];
  const issuing = obj(doc.issuingCA);
  if (issuing) {
    checkPem(issuing.cert, ["issuingCA", "cert"], "certificate", out);
    checkPem(issuing.key, ["issuingCA", "key"], "key", out);
  }
  arr(doc.acceptedCAs).forEach((c, i) => checkPem(c, ["acceptedCAs", i], "certificate", out));
  return out;
};

/** TrustedRootsConfig: a PEM bundle of CA certificates. */
export const trustedRootsCertificates: Rule = (doc: Obj) => {
  const out: RuleIssue[] = [];
  checkPem(doc.certificates, ["certificates"], "certificate", out);
  return out;
};

/** KubeServiceAccountConfig: the issuer's private key is PEM. */
export const serviceAccountKey: Rule = (doc: Obj) => {
  const out: RuleIssue[] = [];
  checkPem(get(doc, "issuer", "privateKey"), ["issuer", "privateKey"], "key", out);
  return out;
};
