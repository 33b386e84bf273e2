import "server-only";

import crypto from "node:crypto";

import { isMap, isSeq, parseAllDocuments, type Document } from "yaml";

import { isV1Alpha1Document } from "@/lib/talos/documents";

/**
 * The machine-config patches of `talosctl rotate-ca` (pkg/rotate/pki/talos and
 * pkg/machinery/config/generate/rotatepatcher), pure, on the config's YAML text so that the other
 * documents, comments and key order stay as they were. Each patch says whether it changed
 * anything: a step resumed after a restart whose apply had landed finds nothing to change and
 * applies nothing a second time.
 *
 * Talos API: `machine.ca` / `machine.acceptedCAs`. Kubernetes API: `cluster.ca` /
 * `cluster.acceptedCAs` (the v1alpha1 form; a config with a KubeAPIServerCAConfig document is
 * refused by {@link checkPatchable}).
 */

export type CaSection = "machine" | "cluster";
export type NodeRole = "controlplane" | "worker";

/** A CA as the config holds it: base64 of PEM text (`crt`, and `key` on control planes). */
export interface ConfigCa {
  crt: string;
  key?: string;
}

export interface PatchResult {
  text: string;
  changed: boolean;
}

const b64 = (pem: string) => Buffer.from(pem, "utf8").toString("base64");
const unb64 = (v: string) => Buffer.from(v, "base64").toString("utf8");

/** A CA certificate and key (PEM) as a config value; `withKey` false for workers, which hold only the certificate. */
export function configCa(certPem: string, talosKeyPem: string | null): ConfigCa {
  return talosKeyPem === null ? { crt: b64(certPem) } : { crt: b64(certPem), key: b64(talosKeyPem) };
}

/** Two base64 PEM certificates are the same certificate (their DER bytes are equal). */
export function sameCertB64(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return new crypto.X509Certificate(unb64(a)).raw.equals(new crypto.X509Certificate(unb64(b)).raw);
  } catch {
    return false;
  }
}

interface Loaded {
  docs: Document.Parsed[];
  v1alpha1: Document.Parsed;
}

function load(text: string): Loaded {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error("the machine config is empty");
  for (const d of docs) {
    if (d.errors.length > 0) throw new Error(`the machine config is not valid YAML: ${d.errors[0]!.message.split("\n")[0]}`);
  }
  const v1alpha1 = docs.find((d) => {
    const js = d.toJS() as unknown;
    return typeof js === "object" && js !== null && isV1Alpha1Document(js as Record<string, unknown>);
  });
  if (!v1alpha1) throw new Error("the machine config has no v1alpha1 document");
  return { docs, v1alpha1 };
}

function render(l: Loaded): string {
  return l.docs.map((d) => d.toString({ lineWidth: 0 })).join("");
}

/** Why rotate-ca's patches cannot be applied to this config, or null. */
export function checkPatchable(text: string, section: CaSection): string | null {
  let l: Loaded;
  try {
    l = load(text);
  } catch (e) {
    return (e as Error).message;
  }
  if (section === "cluster" && l.docs.some((d) => (d.toJS() as { kind?: unknown } | null)?.kind === "KubeAPIServerCAConfig")) {
    return "the Kubernetes API CA is set by a KubeAPIServerCAConfig document, which Minos does not rotate yet; use talosctl rotate-ca";
  }
  if (!isMap(l.v1alpha1.get(section))) return `the config has no ${section} section`;
  return null;
}

function acceptedOf(doc: Document.Parsed, section: CaSection): string[] {
  const seq = doc.getIn([section, "acceptedCAs"]);
  if (!isSeq(seq)) return [];
  return (seq.toJSON() as unknown[]).flatMap((a) => (typeof a === "object" && a !== null && typeof (a as { crt?: unknown }).crt === "string" ? [(a as { crt: string }).crt] : []));
}

function setAccepted(doc: Document.Parsed, section: CaSection, crts: string[]): void {
  doc.setIn([section, "acceptedCAs"], doc.createNode(crts.map((crt) => ({ crt }))));
}

/** The node's role from `machine.type` (init counts as a control plane); null when the config cannot say. */
export function roleOf(text: string): NodeRole | null {
  try {
    const t = load(text).v1alpha1.getIn(["machine", "type"]);
    return t === "controlplane" || t === "init" ? "controlplane" : t === "worker" ? "worker" : null;
  } catch {
    return null;
  }
}

/** The current issuing CA's certificate (base64 PEM) of a section, or null. */
export function issuerOf(text: string, section: CaSection): string | null {
  const v = load(text).v1alpha1.getIn([section, "ca", "crt"]);
  return typeof v === "string" && v !== "" ? v : null;
}

/** The accepted CAs (base64 PEM) of a section. */
export function acceptedCasOf(text: string, section: CaSection): string[] {
  return acceptedOf(load(text).v1alpha1, section);
}

/** Step "accept": the new CA is added to the accepted CAs (once). */
export function addAccepted(text: string, section: CaSection, newCrt: string): PatchResult {
  const l = load(text);
  const accepted = acceptedOf(l.v1alpha1, section);
  if (accepted.some((a) => sameCertB64(a, newCrt))) return { text, changed: false };
  setAccepted(l.v1alpha1, section, [...accepted, newCrt]);
  return { text: render(l), changed: true };
}

/**
 * Step "swap": the new CA becomes the issuer (with its key on control planes, the certificate
 * alone on workers), the old one accepted, the new one no longer listed as accepted.
 */
export function swapIssuer(text: string, section: CaSection, role: NodeRole, newCa: Required<ConfigCa>, oldCrt: string): PatchResult {
  const l = load(text);
  const doc = l.v1alpha1;
  const before = acceptedOf(doc, section);
  let accepted = before.some((a) => sameCertB64(a, oldCrt)) ? before : [...before, oldCrt];
  accepted = accepted.filter((a) => !sameCertB64(a, newCa.crt));
  const want: ConfigCa = role === "controlplane" ? newCa : { crt: newCa.crt };
  const crt = doc.getIn([section, "ca", "crt"]);
  const key = doc.getIn([section, "ca", "key"]);
  const issuerDone = typeof crt === "string" && sameCertB64(crt, want.crt) && (want.key === undefined ? key === undefined || key === "" : key === want.key);
  const acceptedDone = accepted.length === before.length && accepted.every((a, i) => a === before[i]);
  if (issuerDone && acceptedDone) return { text, changed: false };
  setAccepted(doc, section, accepted);
  doc.setIn([section, "ca"], doc.createNode(want));
  return { text: render(l), changed: true };
}

/** Step "drop": the old CA is removed from the accepted CAs. */
export function dropAccepted(text: string, section: CaSection, oldCrt: string): PatchResult {
  const l = load(text);
  const before = acceptedOf(l.v1alpha1, section);
  const after = before.filter((a) => !sameCertB64(a, oldCrt));
  if (after.length === before.length) return { text, changed: false };
  setAccepted(l.v1alpha1, section, after);
  return { text: render(l), changed: true };
}
