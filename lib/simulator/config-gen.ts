/**
 * Machine configs as `talosctl gen config` produces them: one set of cluster secrets (real key
 * material, persisted in the state directory so configs survive restarts) and a per-role template
 * that each node fills with its hostname and address. Rendering is a string substitution, so
 * 1,000 nodes share two templates instead of holding 1,000 configs.
 */
import crypto from "node:crypto";
import { chmod, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

import { stringify } from "yaml";
import { z } from "zod";

import { createTalosCa, toTalosKeyPem, type CertAndKey } from "./pki";
import { installerImage } from "../talos/upgrade";

const pairSchema = z.object({ crt: z.string(), key: z.string() });

const clusterSecretsSchema = z.object({
  clusterId: z.string(),
  clusterSecret: z.string(),
  bootstrapToken: z.string(),
  trustdToken: z.string(),
  secretboxEncryptionSecret: z.string(),
  k8sCa: pairSchema,
  aggregatorCa: pairSchema,
  etcdCa: pairSchema,
  serviceAccountKey: z.string(),
});

/** A cluster's secrets; PEM strings (keys already in the header style Talos writes). */
export type ClusterSecrets = z.infer<typeof clusterSecretsSchema>;

const TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
function randomToken(len: number): string {
  const bytes = crypto.randomBytes(len);
  let s = "";
  for (let i = 0; i < len; i++) s += TOKEN_ALPHABET[bytes[i]! % TOKEN_ALPHABET.length];
  return s;
}

/** Kubernetes bootstrap-token shape `[a-z0-9]{6}.[a-z0-9]{16}` (also used for machine.token). */
export const makeToken = () => `${randomToken(6)}.${randomToken(16)}`;

/** One of Talos's ECDSA CAs with its key as Talos writes it (SEC1 `EC PRIVATE KEY`). */
async function talosCa(kind: "kubernetes" | "aggregator" | "etcd", options: ClusterSecretsOptions): Promise<{ crt: string; key: string }> {
  const ca = await createTalosCa(kind, { talosVersion: options.talosVersion, validDays: options.caValidDays, notBefore: options.notBefore });
  return { crt: ca.certPem, key: toTalosKeyPem(ca.keyPem) };
}

async function rsaKey(bits: number): Promise<string> {
  const { privateKey } = await new Promise<{ privateKey: crypto.KeyObject }>((resolve, reject) =>
    crypto.generateKeyPair("rsa", { modulusLength: bits }, (err, _pub, priv) => (err ? reject(err) : resolve({ privateKey: priv }))),
  );
  return privateKey.export({ type: "pkcs1", format: "pem" }).toString();
}

/** Options for {@link generateClusterSecrets}. */
export interface ClusterSecretsOptions {
  /** Validity of the K8s, aggregator and etcd CAs. Default 3650 days, as Talos. */
  caValidDays?: number;
  /** The Talos version whose `gen secrets` to imitate (1.10 differs in the CAs' key identifiers). */
  talosVersion?: string;
  /** When the CAs start; default now (Talos: the bundle's clock). */
  notBefore?: Date;
}

/**
 * Generates fresh cluster secrets as Talos's secrets bundle does (pkg/machinery/config/generate/
 * secrets/bundle.go populate, ca.go): Kubernetes (O=kubernetes), aggregator (empty subject) and
 * etcd (O=etcd) CAs, ECDSA P-256, 87600 h; the service-account key RSA-4096 PKCS#1
 * (UseRSAServiceAccountKey: every version after 1.6).
 */
export async function generateClusterSecrets(options: ClusterSecretsOptions = {}): Promise<ClusterSecrets> {
  const [k8sCa, aggregatorCa, etcdCa, serviceAccountKey] = await Promise.all([
    talosCa("kubernetes", options),
    talosCa("aggregator", options),
    talosCa("etcd", options),
    rsaKey(4096),
  ]);
  return {
    clusterId: crypto.randomBytes(32).toString("base64url"),
    clusterSecret: crypto.randomBytes(32).toString("base64"),
    bootstrapToken: makeToken(),
    trustdToken: makeToken(),
    secretboxEncryptionSecret: crypto.randomBytes(32).toString("base64"),
    k8sCa,
    aggregatorCa,
    etcdCa,
    serviceAccountKey,
  };
}

/**
 * Loads `<stateDir>/cluster-<name>.json`, creating it on first use (0600: it holds CA keys).
 * `options` only shape secrets created now; existing ones are kept as they are.
 */
export async function loadOrCreateClusterSecrets(stateDir: string, clusterName: string, options: ClusterSecretsOptions = {}): Promise<ClusterSecrets> {
  const file = path.join(stateDir, `cluster-${clusterName}.json`);
  try {
    return clusterSecretsSchema.parse(JSON.parse(await readFile(file, "utf8")));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new Error(`cluster secrets ${file} are unreadable (${(e as Error).message}); delete the file to regenerate them`);
    }
  }
  const secrets = await generateClusterSecrets(options);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
  return secrets;
}

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

export const sha256Hex = (s: string) => crypto.createHash("sha256").update(s).digest("hex");
