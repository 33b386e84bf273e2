/**
 * Machine configs as `talosctl gen config` produces them, from a secrets bundle (./secrets.ts)
 * and an OS CA: a per-role template that each node fills with its hostname and address.
 * Rendering is a string substitution, so the simulator's 1,000 nodes share two templates instead
 * of holding 1,000 configs, and GET /api/config/template renders one.
 */
import { stringify } from "yaml";

import { installerImage } from "../upgrade";
import { toTalosKeyPem, type CertAndKey } from "../pki";
import type { ClusterSecrets } from "./secrets";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

export const HOSTNAME_PLACEHOLDER = "__SIM_NODE_HOSTNAME__";
export const ADDRESS_PLACEHOLDER = "__SIM_NODE_ADDRESS__";

export interface TemplateInput {
  role: "controlplane" | "worker";
  clusterName: string;
  /** `https://<first control plane>:6443`. */
  controlPlaneEndpoint: string;
  /** Address of the first control plane, for the API server cert SANs. */
  controlPlaneHost: string;
  talosVersion: string;
  kubernetesVersion: string;
  osCa: CertAndKey;
  secrets: ClusterSecrets;
}

/**
 * The v1alpha1 document for a role, with placeholders for the node's hostname and address.
 * Control planes carry every CA key; workers carry only the CA certificates (`key: ""`, as
 * `gen config` writes them) and no etcd section.
 */
export function buildConfigTemplate(input: TemplateInput): string {
  const { secrets: s, role } = input;
  const k8s = `v${input.kubernetesVersion}`;
  const cp = role === "controlplane";
  const machine: Record<string, unknown> = {
    type: role,
    token: s.trustdToken,
    ca: { crt: b64(input.osCa.certPem), key: cp ? b64(toTalosKeyPem(input.osCa.keyPem)) : "" },
    certSANs: [ADDRESS_PLACEHOLDER],
    kubelet: {
      image: `ghcr.io/siderolabs/kubelet:${k8s}`,
      defaultRuntimeSeccompProfileEnabled: true,
      disableManifestsDirectory: true,
    },
    network: { hostname: HOSTNAME_PLACEHOLDER },
    install: { disk: "/dev/sda", image: installerImage(input.talosVersion), wipe: false },
    features: {
      rbac: true,
      stableHostname: true,
      apidCheckExtKeyUsage: true,
      diskQuotaSupport: true,
      kubePrism: { enabled: true, port: 7445 },
      hostDNS: { enabled: true, forwardKubeDNSToHost: true },
    },
  };
  if (cp) machine.nodeLabels = { "node.kubernetes.io/exclude-from-external-load-balancers": "" };

  const cluster: Record<string, unknown> = {
    id: s.clusterId,
    secret: s.clusterSecret,
    controlPlane: { endpoint: input.controlPlaneEndpoint },
    clusterName: input.clusterName,
    network: { dnsDomain: "cluster.local", podSubnets: ["10.244.0.0/16"], serviceSubnets: ["10.96.0.0/12"] },
    token: s.bootstrapToken,
  };
  if (cp) {
    Object.assign(cluster, {
      secretboxEncryptionSecret: s.secretboxEncryptionSecret,
      ca: { crt: b64(s.k8sCa.crt), key: b64(s.k8sCa.key) },
      aggregatorCA: { crt: b64(s.aggregatorCa.crt), key: b64(s.aggregatorCa.key) },
      serviceAccount: { key: b64(s.serviceAccountKey) },
      apiServer: {
        image: `registry.k8s.io/kube-apiserver:${k8s}`,
        certSANs: [input.controlPlaneHost],
        disablePodSecurityPolicy: true,
        admissionControl: [
          {
            name: "PodSecurity",
            configuration: {
              apiVersion: "pod-security.admission.config.k8s.io/v1alpha1",
              defaults: { audit: "restricted", "audit-version": "latest", enforce: "baseline", "enforce-version": "latest", warn: "restricted", "warn-version": "latest" },
              exemptions: { namespaces: ["kube-system"], runtimeClasses: [], usernames: [] },
              kind: "PodSecurityConfiguration",
            },
          },
        ],
        auditPolicy: { apiVersion: "audit.k8s.io/v1", kind: "Policy", rules: [{ level: "Metadata" }] },
      },
      controllerManager: { image: `registry.k8s.io/kube-controller-manager:${k8s}` },
      proxy: { image: `registry.k8s.io/kube-proxy:${k8s}` },
      scheduler: { image: `registry.k8s.io/kube-scheduler:${k8s}` },
      discovery: { enabled: true, registries: { kubernetes: { disabled: true }, service: {} } },
      etcd: { ca: { crt: b64(s.etcdCa.crt), key: b64(s.etcdCa.key) } },
      extraManifests: [],
      inlineManifests: [],
    });
  } else {
    Object.assign(cluster, {
      ca: { crt: b64(s.k8sCa.crt), key: "" },
      discovery: { enabled: true, registries: { kubernetes: { disabled: true }, service: {} } },
    });
  }
  // Go's yaml.v3 (which Talos uses) indents by 4 and does not fold long lines.
  return stringify({ version: "v1alpha1", debug: false, persist: true, machine, cluster }, { indent: 4, lineWidth: 0 });
}

/** Fills a template for one node. */
export function renderNodeConfig(template: string, node: { hostname: string; address: string }): string {
  return template.replaceAll(HOSTNAME_PLACEHOLDER, node.hostname).replaceAll(ADDRESS_PLACEHOLDER, node.address);
}
