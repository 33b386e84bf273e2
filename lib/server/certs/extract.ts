import "server-only";

import { parseAllDocuments } from "yaml";

import type { CertRole } from "@/lib/certs/roles";
import type { CertSource } from "@/lib/schemas/certs";
import { TALOS_RESOURCES } from "@/lib/talos/constants";
import { isV1Alpha1Document } from "@/lib/talos/documents";

/** One sighting of a certificate: where it was, and the role it plays there. */
export interface CertObservation {
  cluster: string;
  /** Node ID (`address@cluster`), or null for the talosconfig's own certificates. */
  node: string | null;
  source: CertSource;
  role: CertRole;
  /** PEM text holding one certificate. */
  pem: string;
  /** Overrides the role's purpose, e.g. for certificates of an unknown role. */
  purpose?: string;
  /** Talos roles of a client certificate. */
  roles?: string[];
  /** Something the source said about it, e.g. a failed TLS verification. */
  note?: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g;

/** Every PEM certificate in `text`. */
export function pemCertificates(text: string): string[] {
  return [...text.matchAll(PEM_CERT)].map((m) => `${m[0]}\n`);
}

/**
 * The certificates in a config or secrets value: v1alpha1 and the secrets' YAML carry base64 of
 * PEM, the Kube*CAConfig documents plain PEM. Redacted values ("******") and keys yield nothing.
 */
export function certificatesInValue(value: unknown): string[] {
  if (typeof value !== "string" || value.trim() === "") return [];
  if (value.includes("-----BEGIN")) return pemCertificates(value);
  const compact = value.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return [];
  return pemCertificates(Buffer.from(compact, "base64").toString("utf8"));
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const at = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (isObj(o) ? o[k] : undefined), v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** A `{crt}` (v1alpha1), `{cert}` (Kube* documents) object, or a bare PEM string. */
const certOf = (v: unknown): unknown => (isObj(v) ? (v.crt ?? v.cert) : v);

/** What {@link certificatesInMachineConfig} reads from one config. */
export interface MachineConfigCerts {
  /** `machine.type` of the v1alpha1 document, if any. */
  machineType: string | null;
  found: { role: CertRole; pem: string }[];
}

/**
 * The CAs in a machine config (Talos's v1alpha1 types and the Kube*CAConfig documents): `machine.ca`, `machine.acceptedCAs`,
 * `cluster.ca`, `cluster.acceptedCAs`, `cluster.aggregatorCA`, `cluster.etcd.ca` in v1alpha1, and
 * `issuingCA`/`acceptedCAs` of the KubeAPIServerCAConfig and KubeAggregatorCAConfig documents.
 *
 * @throws Error when the YAML does not parse.
 */
export function certificatesInMachineConfig(yamlText: string): MachineConfigCerts {
  const docs = parseAllDocuments(yamlText);
  const found: { role: CertRole; pem: string }[] = [];
  const add = (role: CertRole, value: unknown) => {
    for (const pem of certificatesInValue(certOf(value))) found.push({ role, pem });
  };
  let machineType: string | null = null;
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) throw new Error(`the machine config is not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
    const d: unknown = doc.toJS({ maxAliasCount: 100 });
    if (!isObj(d)) continue;
    if (isV1Alpha1Document(d)) {
      const type = at(d, "machine", "type");
      machineType = typeof type === "string" ? type : machineType;
      add("talos-ca", at(d, "machine", "ca"));
      for (const v of list(at(d, "machine", "acceptedCAs"))) add("talos-accepted-ca", v);
      add("k8s-ca", at(d, "cluster", "ca"));
      for (const v of list(at(d, "cluster", "acceptedCAs"))) add("k8s-accepted-ca", v);
      add("aggregator-ca", at(d, "cluster", "aggregatorCA"));
      add("etcd-ca", at(d, "cluster", "etcd", "ca"));
    } else if (d.kind === "KubeAPIServerCAConfig") {
      add("k8s-ca", d.issuingCA);
      for (const v of list(d.acceptedCAs)) add("k8s-accepted-ca", v);
    } else if (d.kind === "KubeAggregatorCAConfig") {
      add("aggregator-ca", d.issuingCA);
      for (const v of list(d.acceptedCAs)) add("aggregator-accepted-ca", v);
    }
  }
  return { machineType, found };
}

/** The secrets resources that hold leaf certificates, with the role of each spec key. */
export const LEAF_SECRET_TYPES: Record<string, Record<string, CertRole>> = {
  [TALOS_RESOURCES.etcdSecrets.type]: {
    etcd: "etcd-server",
    etcdPeer: "etcd-peer",
    etcdAdmin: "etcd-admin",
    etcdAPIServer: "etcd-apiserver-client",
  },
  [TALOS_RESOURCES.kubernetesDynamicCerts.type]: {
    apiServer: "kube-apiserver",
    apiServerKubeletClient: "kube-apiserver-kubelet-client",
    frontProxy: "front-proxy-client",
  },
};

/**
 * The certificates in one secrets resource. The YAML rendering (`crt` as base64 of PEM) is read
 * first; keys Minos does not know still count, named after their path. When the YAML is empty the
 * PEM blocks in the protobuf spec (raw PEM bytes) are taken instead, with an unknown role.
 */
export function certificatesInSecret(
  type: string,
  yamlSpec: string,
  protoSpec: Uint8Array,
): { role: CertRole; pem: string; purpose?: string }[] {
  const roles = LEAF_SECRET_TYPES[type] ?? {};
  const short = type.split(".")[0]!;
  const out: { role: CertRole; pem: string; purpose?: string }[] = [];
  let spec: unknown = null;
  try {
    spec = yamlSpec.trim() === "" ? null : parseAllDocuments(yamlSpec)[0]?.toJS();
  } catch {
    spec = null;
  }
  if (isObj(spec)) {
    for (const [key, value] of Object.entries(spec)) {
      certificatesInValue(certOf(value)).forEach((pem, i) => {
        const role = roles[key];
        // Only the first block is the key's own certificate; Talos 1.14 appends the issuing CA
        // to apiServer's (kubernetes_dynamic_certs.go), which must not pass for the leaf.
        if (role && i === 0) out.push({ role, pem });
        else out.push({ role: "other", pem, purpose: i === 0 ? `${short}: ${key}` : `${short}: ${key} (chain)` });
      });
    }
    return out;
  }
  for (const pem of pemCertificates(Buffer.from(protoSpec).toString("latin1"))) out.push({ role: "other", pem, purpose: short });
  return out;
}
