/**
 * What a node's machine config says about its Kubernetes components: the kubelet image
 * (`machine.kubelet.image`, or a `KubeletConfig` document from the 1.14 contract), the control
 * plane's static pod images (`cluster.apiServer|controllerManager|scheduler.image`, or the
 * `KubeAPIServerConfig`/`KubeControllerManagerConfig`/`KubeSchedulerConfig` documents), kube-proxy's
 * (`cluster.proxy.image`, `KubeProxyConfig`) and the Node labels (`machine.nodeLabels`, `KubeNodeConfig`).
 */
import crypto from "node:crypto";

import { parseAllDocuments } from "yaml";

export interface ConfigImages {
  kubelet: string;
  apiServer: string;
  controllerManager: string;
  scheduler: string;
  proxy: string;
  nodeLabels: Record<string, string>;
}

/** Talos's default images for a Kubernetes version ("1.34.1"), as `talosctl gen config` writes them. */
export function defaultImages(kubernetesVersion: string): Omit<ConfigImages, "nodeLabels"> {
  const v = kubernetesVersion.startsWith("v") ? kubernetesVersion : `v${kubernetesVersion}`;
  return {
    kubelet: `ghcr.io/siderolabs/kubelet:${v}`,
    apiServer: `registry.k8s.io/kube-apiserver:${v}`,
    controllerManager: `registry.k8s.io/kube-controller-manager:${v}`,
    scheduler: `registry.k8s.io/kube-scheduler:${v}`,
    proxy: `registry.k8s.io/kube-proxy:${v}`,
  };
}

/** The tag of an image reference (`repo:tag[@digest]`), or null. */
export function imageTag(image: string): string | null {
  const noDigest = image.split("@")[0]!;
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > slash ? noDigest.slice(colon + 1) : null;
}

type Doc = Record<string, unknown>;
const obj = (v: unknown): Doc => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Doc) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

const cache = new Map<string, ConfigImages>();
const CACHE_MAX = 4096;

const HOST = "\u0000hostname\u0000";
const ADDR = "\u0000address\u0000";

/**
 * Reads the images and Node labels from a config's text. Cached by the text with the node's
 * hostname and address (when given) taken out: nodes of one role generated from one template share
 * an entry, so a 1,000-node fleet parses a handful of configs, not 1,000.
 */
export function configImages(text: string, kubernetesVersion: string, node?: { hostname: string; address: string }): ConfigImages {
  const generic = node ? text.replaceAll(node.hostname, HOST).replaceAll(node.address, ADDR) : text;
  const key = crypto.createHash("sha1").update(kubernetesVersion).update("\n").update(generic).digest("hex");
  let hit = cache.get(key);
  if (!hit) {
    hit = parseImages(generic, kubernetesVersion);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, hit);
  }
  const back = (v: string) => (node ? v.replaceAll(HOST, node.hostname).replaceAll(ADDR, node.address) : v);
  return { ...hit, nodeLabels: Object.fromEntries(Object.entries(hit.nodeLabels).map(([k, v]) => [back(k), back(v)])) };
}

function parseImages(text: string, kubernetesVersion: string): ConfigImages {
  const out: ConfigImages = { ...defaultImages(kubernetesVersion), nodeLabels: {} };
  let docs: Doc[] = [];
  try {
    docs = parseAllDocuments(text).map((d) => obj(d.toJS()));
  } catch {
    docs = [];
  }
  for (const d of docs) {
    const kind = d.kind;
    if (kind === undefined && (d.machine || d.cluster)) {
      const machine = obj(d.machine);
      const cluster = obj(d.cluster);
      out.kubelet = str(obj(machine.kubelet).image) ?? out.kubelet;
      out.apiServer = str(obj(cluster.apiServer).image) ?? out.apiServer;
      out.controllerManager = str(obj(cluster.controllerManager).image) ?? out.controllerManager;
      out.scheduler = str(obj(cluster.scheduler).image) ?? out.scheduler;
      out.proxy = str(obj(cluster.proxy).image) ?? out.proxy;
      for (const [k, v] of Object.entries(obj(machine.nodeLabels))) if (typeof v === "string") out.nodeLabels[k] = v;
    } else if (kind === "KubeletConfig") out.kubelet = str(d.image) ?? out.kubelet;
    else if (kind === "KubeAPIServerConfig") out.apiServer = str(d.image) ?? out.apiServer;
    else if (kind === "KubeControllerManagerConfig") out.controllerManager = str(d.image) ?? out.controllerManager;
    else if (kind === "KubeSchedulerConfig") out.scheduler = str(d.image) ?? out.scheduler;
    else if (kind === "KubeProxyConfig") out.proxy = str(d.image) ?? out.proxy;
    else if (kind === "KubeNodeConfig") for (const [k, v] of Object.entries(obj(d.labels))) if (typeof v === "string") out.nodeLabels[k] = v;
  }
  return out;
}
