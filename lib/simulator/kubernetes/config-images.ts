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

/** Reads the images from a config's text (cached by its hash: a config is parsed once). */
export function configImages(text: string, kubernetesVersion: string): ConfigImages {
  const key = crypto.createHash("sha1").update(kubernetesVersion).update("\n").update(text).digest("hex");
  const hit = cache.get(key);
  if (hit) return hit;
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
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, out);
  return out;
}
