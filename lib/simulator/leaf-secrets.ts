/**
 * The etcd and kube-apiserver leaf certificates a control plane holds in its sensitive secrets
 * resources (`EtcdSecrets.secrets.talos.dev` id `etcd`, `KubernetesDynamicCerts.secrets.talos.dev`
 * id `k8s-dynamic-certs`), issued from the cluster's CAs.
 */
import { isIP } from "node:net";

import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { stringify } from "yaml";

import { apiServerCertSans } from "../talos/cert-sans";
import { issueLeaf, talos1Minor, toTalosKeyPem, type CertAndKey } from "../talos/pki";
import type { SecretsBundle } from "../talos/secrets/bundle";

/** Lifetimes of the issued leaves; defaults are Talos's (etcd 87600 h, Kubernetes 8760 h). */
export interface LeafSecretsOptions {
  etcdValidHours?: number;
  kubernetesValidHours?: number;
  /** Default now. */
  notBefore?: Date;
}

/** The control plane the leaves are for. */
export interface LeafSecretsNode {
  hostname: string;
  address: string;
  /** Optional domain: the FQDN joins the DNS names. */
  domain?: string;
  /** Host of `cluster.controlPlane.endpoint`; default the node's address. */
  endpointHost?: string;
  /** `cluster.apiServer.certSANs`; default [endpointHost]. */
  apiServerCertSANs?: string[];
  /** First IP of the service subnet (`10.96.0.1` for the default 10.96.0.0/12). */
  apiServerIp?: string;
  /** Talos version: etcd's ::1 SAN and the 1.14 CA chain in apiServer depend on it. */
  talosVersion?: string;
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

/**
 * The leaves of one control plane, as Talos issues them (Talos 1.10–1.14):
 * - etcd (internal/pkg/etcd/certs.go, 87600 h, keyUsage digitalSignature|keyEncipherment):
 *   server CN=hostname, DNS hostname[, FQDN], localhost, IPs the node's addresses, 127.0.0.1 and
 *   ::1 (before 1.13 ::1 only when the node has an IPv6 address), EKU server+client; peer the same
 *   without the loopbacks; clients CN=talos and CN=kube-apiserver, no SANs, EKU clientAuth.
 * - Kubernetes (internal/app/machined/pkg/controllers/secrets/kubernetes_dynamic_certs.go,
 *   8760 h = constants.KubernetesDefaultCertificateValidityDuration): kube-apiserver CN=kube-apiserver
 *   O=kube-master, SANs from kubernetes_cert_sans.go (sorted), EKU serverAuth, and since 1.14 the
 *   issuing CA appended to its PEM; apiserver-kubelet-client O=system:masters, EKU clientAuth;
 *   front-proxy-client (no O) from the aggregator CA, whose subject is empty, EKU clientAuth.
 */
export async function issueLeafSecrets(node: LeafSecretsNode, secrets: SecretsBundle, options: LeafSecretsOptions = {}): Promise<LeafSecrets> {
  const etcdCa = pair(secrets.certs.etcd);
  const k8sCa = pair(secrets.certs.k8s);
  const aggregatorCa = pair(secrets.certs.k8saggregator);
  const etcdHours = options.etcdValidHours ?? 87600;
  const k8sHours = options.kubernetesValidHours ?? 8760;
  const { notBefore } = options;
  const minor = talos1Minor(node.talosVersion) ?? 99;
  const fqdn = node.domain ? `${node.hostname}.${node.domain}` : node.hostname;
  const hostNames = node.domain ? [node.hostname, fqdn] : [node.hostname];
  const hasV6 = isIP(node.address) === 6;
  // 35fc52087 (v1.13.0): ::1 unconditionally; before, only next to an IPv6 node address.
  const loopbacks = minor >= 13 || hasV6 ? ["127.0.0.1", "::1"] : ["127.0.0.1"];
  const etcdLeaf = { validHours: etcdHours, notBefore, keyEncipherment: true };
  const k8sLeaf = { validHours: k8sHours, notBefore, keyEncipherment: true };

  const endpointHost = node.endpointHost ?? node.address;
  const k8sSans = apiServerCertSans({
    endpointHost,
    certSANs: node.apiServerCertSANs ?? [endpointHost],
    hostname: node.hostname,
    fqdn,
    apiServerIp: node.apiServerIp ?? "10.96.0.1",
    addresses: [node.address],
  });

  const [etcd, etcdPeer, etcdAdmin, etcdAPIServer, apiServer, apiServerKubeletClient, frontProxy] = await Promise.all([
    issueLeaf(etcdCa, { ...etcdLeaf, commonName: node.hostname, dnsNames: [...hostNames, "localhost"], ipAddresses: [node.address, ...loopbacks], extKeyUsage: ["serverAuth", "clientAuth"] }),
    issueLeaf(etcdCa, { ...etcdLeaf, commonName: node.hostname, dnsNames: hostNames, ipAddresses: [node.address], extKeyUsage: ["serverAuth", "clientAuth"] }),
    issueLeaf(etcdCa, { ...etcdLeaf, commonName: "talos", extKeyUsage: ["clientAuth"] }),
    issueLeaf(etcdCa, { ...etcdLeaf, commonName: "kube-apiserver", extKeyUsage: ["clientAuth"] }),
    issueLeaf(k8sCa, { ...k8sLeaf, commonName: "kube-apiserver", organizations: ["kube-master"], ...k8sSans, extKeyUsage: ["serverAuth"] }),
    issueLeaf(k8sCa, { ...k8sLeaf, commonName: "apiserver-kubelet-client", organizations: ["system:masters"], extKeyUsage: ["clientAuth"] }),
    issueLeaf(aggregatorCa, { ...k8sLeaf, commonName: "front-proxy-client", extKeyUsage: ["clientAuth"] }),
  ]);
  // 286fa8006 (v1.14.0-beta.0): "append the issuing CA to the API server cert".
  const apiServerServed = minor >= 14 ? { ...apiServer, certPem: `${apiServer.certPem}\n${k8sCa.certPem}` } : apiServer;
  return {
    "EtcdSecrets.secrets.talos.dev": {
      id: "etcd",
      proto: encodeSpec([etcd, etcdPeer, etcdAdmin, etcdAPIServer]),
      yaml: renderYaml({ etcd, etcdPeer, etcdAdmin, etcdAPIServer }),
    },
    "KubernetesDynamicCerts.secrets.talos.dev": {
      id: "k8s-dynamic-certs",
      proto: encodeSpec([apiServerServed, apiServerKubeletClient, frontProxy]),
      yaml: renderYaml({ apiServer: apiServerServed, apiServerKubeletClient, frontProxy }),
    },
  };
}
