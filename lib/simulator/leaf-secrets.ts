/**
 * The etcd and kube-apiserver leaf certificates a control plane holds in its sensitive secrets
 * resources (`EtcdSecrets.secrets.talos.dev` id `etcd`, `KubernetesDynamicCerts.secrets.talos.dev`
 * id `k8s-dynamic-certs`; talos-api.md §4 and §7), issued from the cluster's CAs.
 */
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { stringify } from "yaml";

import type { ClusterSecrets } from "./config-gen";
import { type CertAndKey, issueClientCert, issueServerCert, toTalosKeyPem } from "./pki";

/** Lifetimes of the issued leaves; defaults are Talos's (etcd 87600 h, Kubernetes 8760 h). */
export interface LeafSecretsOptions {
  etcdValidHours?: number;
  kubernetesValidHours?: number;
  /** Default now. */
  notBefore?: Date;
}

/** A secrets resource ready to serve: its id, and the spec's protobuf and YAML renderings. */
export interface LeafSecretResource {
  id: string;
  proto: Buffer;
  yaml: string;
}

/** The two resources of one control plane, by COSI type. */
export type LeafSecrets = Record<"EtcdSecrets.secrets.talos.dev" | "KubernetesDynamicCerts.secrets.talos.dev", LeafSecretResource>;

const pair = (p: { crt: string; key: string }): CertAndKey => ({ certPem: p.crt, keyPem: p.key });

/** `{1: PEMEncodedCertificateAndKey{1 crt, 2 key}, 2: …}`: raw PEM bytes, as Talos's proto_spec. */
function encodeSpec(fields: CertAndKey[]): Buffer {
  const w = new BinaryWriter();
  fields.forEach((f, i) => {
    w.uint32(((i + 1) << 3) | 2).fork();
    w.uint32(10).bytes(Buffer.from(f.certPem));
    w.uint32(18).bytes(Buffer.from(toTalosKeyPem(f.keyPem)));
    w.join();
  });
  return Buffer.from(w.finish());
}

/** `{key: {crt: base64 PEM, key: base64 PEM}}`, as talosctl prints secrets. */
function renderYaml(named: Record<string, CertAndKey>): string {
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  const spec = Object.fromEntries(Object.entries(named).map(([k, v]) => [k, { crt: b64(v.certPem), key: b64(toTalosKeyPem(v.keyPem)) }]));
  return stringify(spec, { indent: 4, lineWidth: 0 });
}

/** Issues a control plane's etcd and kube-apiserver leaves from the cluster's CAs. */
export async function issueLeafSecrets(
  node: { hostname: string; address: string },
  secrets: ClusterSecrets,
  options: LeafSecretsOptions = {},
): Promise<LeafSecrets> {
  const etcdCa = pair(secrets.etcdCa);
  const k8sCa = pair(secrets.k8sCa);
  const aggregatorCa = pair(secrets.aggregatorCa);
  const etcdHours = options.etcdValidHours ?? 87600;
  const k8sHours = options.kubernetesValidHours ?? 8760;
  const { notBefore } = options;
  const ips = [node.address, "127.0.0.1"];
  const [etcd, etcdPeer, etcdAdmin, etcdAPIServer, apiServer, apiServerKubeletClient, frontProxy] = await Promise.all([
    issueServerCert(etcdCa, { commonName: node.hostname, dnsNames: [node.hostname, "localhost"], ipAddresses: ips, validHours: etcdHours, notBefore }),
    issueServerCert(etcdCa, { commonName: node.hostname, dnsNames: [node.hostname], ipAddresses: [node.address], validHours: etcdHours, notBefore }),
    issueClientCert(etcdCa, { roles: [], commonName: "talos", validHours: etcdHours, notBefore }),
    issueClientCert(etcdCa, { roles: [], commonName: "kube-apiserver", validHours: etcdHours, notBefore }),
    issueServerCert(k8sCa, {
      commonName: "kube-apiserver",
      dnsNames: ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", node.hostname],
      ipAddresses: ["10.96.0.1", ...ips],
      validHours: k8sHours,
      notBefore,
    }),
    issueClientCert(k8sCa, { roles: ["system:masters"], commonName: "apiserver-kubelet-client", validHours: k8sHours, notBefore }),
    issueClientCert(aggregatorCa, { roles: [], commonName: "front-proxy-client", validHours: k8sHours, notBefore }),
  ]);
  return {
    "EtcdSecrets.secrets.talos.dev": {
      id: "etcd",
      proto: encodeSpec([etcd, etcdPeer, etcdAdmin, etcdAPIServer]),
      yaml: renderYaml({ etcd, etcdPeer, etcdAdmin, etcdAPIServer }),
    },
    "KubernetesDynamicCerts.secrets.talos.dev": {
      id: "k8s-dynamic-certs",
      proto: encodeSpec([apiServer, apiServerKubeletClient, frontProxy]),
      yaml: renderYaml({ apiServer, apiServerKubeletClient, frontProxy }),
    },
  };
}
