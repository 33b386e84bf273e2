/**
 * The admin kubeconfig of MachineService.Kubeconfig, as Talos makes it (pkg/kubeconfig/generate.go
 * GenerateAdmin, and the handler in internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go):
 * a fresh client certificate from the cluster's Kubernetes CA (CN `admin`, O `system:masters`,
 * valid from 10 s ago for the admin kubeconfig's cert lifetime, 1 year by default, keyUsage
 * digitalSignature|keyEncipherment, EKU clientAuth), cluster/user/context named `<cluster>`,
 * `admin@<cluster>`, `admin@<cluster>` (namespace default), written by clientcmd.Write (JSON
 * converted to YAML: keys sorted), then wrapped in a .tar.gz holding one file `kubeconfig` (0600),
 * sent as one common.Data message.
 */
import zlib from "node:zlib";

import { stringify } from "yaml";

import { issueLeaf, toTalosKeyPem, type CertAndKey } from "../../talos/pki";

/** constants.KubernetesAdminCertDefaultLifetime */
export const ADMIN_CERT_LIFETIME_HOURS = 365 * 24;
/** pkg/kubeconfig allowedTimeSkew */
const ALLOWED_SKEW_MS = 10_000;

export interface AdminKubeconfigInput {
  clusterName: string;
  /** The API server URL (the simulator's, in place of cluster.controlPlane.endpoint). */
  server: string;
  /** The cluster's Kubernetes CA (issuing). */
  ca: CertAndKey;
  /** CAs the client accepts for the server (AcceptedCAs); default the issuing CA. */
  acceptedCaPems?: string[];
  lifetimeHours?: number;
  now?: Date;
}

export async function generateAdminKubeconfig(input: AdminKubeconfigInput): Promise<string> {
  const now = input.now ?? new Date();
  const cert = await issueLeaf(input.ca, {
    commonName: "admin",
    organizations: ["system:masters"],
    notBefore: new Date(now.getTime() - ALLOWED_SKEW_MS),
    validHours: (input.lifetimeHours ?? ADMIN_CERT_LIFETIME_HOURS) + ALLOWED_SKEW_MS / 3_600_000,
    keyEncipherment: true,
    extKeyUsage: ["clientAuth"],
  });
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  const user = `admin@${input.clusterName}`;
  const config = {
    apiVersion: "v1",
    clusters: [{ cluster: { "certificate-authority-data": b64((input.acceptedCaPems ?? [input.ca.certPem]).join("")), server: input.server }, name: input.clusterName }],
    contexts: [{ context: { cluster: input.clusterName, namespace: "default", user }, name: user }],
    "current-context": user,
    kind: "Config",
    preferences: {},
    users: [{ name: user, user: { "client-certificate-data": b64(cert.certPem), "client-key-data": b64(toTalosKeyPem(cert.keyPem)) } }],
  };
  return stringify(config, { lineWidth: 0 });
}

/** One regular file in a ustar archive (what Go's archive/tar writes for a short name), gzipped. */
export function tarGzSingleFile(name: string, content: Buffer, mode = 0o600, mtime = new Date()): Buffer {
  const header = Buffer.alloc(512, 0);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, "ascii");
  const octal = (offset: number, length: number, n: number) => field(offset, length, n.toString(8).padStart(length - 1, "0") + "\0");
  field(0, 100, name);
  octal(100, 8, mode);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, content.length);
  octal(136, 12, Math.floor(mtime.getTime() / 1000));
  field(148, 8, "        ");
  field(156, 1, "0");
  field(257, 6, "ustar\0");
  field(263, 2, "00");
  let sum = 0;
  for (const b of header) sum += b;
  field(148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512, 0);
  // Two zero blocks end the archive.
  return zlib.gzipSync(Buffer.concat([header, content, pad, Buffer.alloc(1024, 0)]));
}
