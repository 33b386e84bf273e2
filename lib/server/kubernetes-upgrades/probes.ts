import "server-only";

import { nodeId } from "@/lib/fleet/node-id";
import { errorText } from "@/lib/server/jobs";
import type { TalosClient } from "@/lib/server/talos";
import type { KubeApi, KubePod } from "@/lib/server/kubernetes/types";
import { removedInUpgrade, resourceListPath, versionFromImage } from "@/lib/talos/kubernetes";
import { mapLimit } from "@/lib/utils/map-limit";

import { componentExtraArgs, configImage } from "./config-patch";
import { type KubeNodeFacts, lowestVersion } from "./plan";

/** The Talos calls a Kubernetes upgrade makes; `TalosClient` fits, tests may pass a fake. */
export type KubeUpgradeTalos = Pick<TalosClient, "version" | "hostname" | "services" | "machineConfig" | "applyConfiguration" | "imagePull" | "imagePullLegacy" | "cosiList">;

/**
 * What a Kubernetes upgrade needs beyond the narrow KubeApi of lib/server/kubernetes/types.ts:
 * counting objects of an API version the target removes, and server-side apply of the bootstrap
 * manifests (field manager "talos", as upgrade-k8s).
 */
export interface KubeObjectApi {
  /** How many objects a list path returns; null when the API does not serve it (404: nothing to migrate). */
  countObjects(listPath: string, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<number | null>;
  /** Server-side apply of one object (force: Talos owns these fields). Returns what happened, e.g. "configured". */
  serverSideApply(object: Record<string, unknown>, fieldManager: string, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<"created" | "configured" | "unchanged">;
  /** The live object (apiVersion, kind, metadata.name/namespace of `object`); null when it does not exist. */
  read(object: Record<string, unknown>, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<Record<string, unknown> | null>;
}

/** Per cluster: the Kubernetes API with the upgrade's extra calls, or why there is none. */
export type KubeUpgradeAccess = { ok: true; api: KubeApi; objects: KubeObjectApi } | { ok: false; message: string };

export interface ReadOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** One Talos node as the planner sees it; an unreachable node is a fact, not an error. */
export async function kubeNodeFacts(client: KubeUpgradeTalos, cluster: string, address: string, kubeletVersions: Map<string, string | null>, opts: ReadOptions): Promise<KubeNodeFacts> {
  const id = nodeId(cluster, address);
  let talosVersion: string;
  try {
    talosVersion = (await client.version(address, opts)).tag;
  } catch (e) {
    return { id, address, hostname: null, role: null, talosVersion: null, reachable: false, error: errorText(e), kubeletVersion: null, kubeletImage: null, args: {} };
  }
  const [hostname, role, config] = await Promise.all([
    client.hostname(address, opts).catch(() => null),
    client.services(address, opts).then(
      (s) => ("etcd" in s ? ("controlplane" as const) : ("worker" as const)),
      () => null,
    ),
    // Admin only (the config holds secrets): the plan turns a failure into an error check.
    client.machineConfig(address, opts).then(
      (c) => ({ yaml: c.yaml, error: null }),
      (e: unknown) => ({ yaml: null, error: errorText(e) }),
    ),
  ]);
  return {
    id,
    address,
    hostname,
    role,
    talosVersion,
    reachable: true,
    kubeletVersion: kubeletVersions.get(hostname ?? "") ?? kubeletVersions.get(address) ?? null,
    kubeletImage: config.yaml ? configImage(config.yaml, "kubelet") : null,
    args: config.yaml ? componentExtraArgs(config.yaml) : {},
    configError: config.error,
  };
}

const DETECT_APPS = new Set(["kube-apiserver", "kube-controller-manager", "kube-proxy", "kube-scheduler"]);

/** The app a kube-system pod belongs to: its k8s-app label (Talos labels its static pods so), else its name's prefix. */
export function podApp(p: Pick<KubePod, "labels" | "name">): string | null {
  const label = p.labels["k8s-app"];
  if (label) return label;
  for (const app of DETECT_APPS) if (p.name.startsWith(`${app}-`)) return app;
  return null;
}

/** DetectLowestVersion: the lowest image tag of the control-plane components and kube-proxy in kube-system. */
export function detectFromVersion(pods: KubePod[]): string | null {
  const versions = pods
    .filter((p) => p.namespace === "kube-system")
    .filter((p) => DETECT_APPS.has(podApp(p) ?? ""))
    .map((p) => (p.images[0] ? versionFromImage(p.images[0]) : null));
  return lowestVersion(versions);
}

/** What the cluster's Kubernetes says for the plan: kubelet versions, the lowest component version, removed APIs in use. */
export async function kubeFacts(
  access: KubeUpgradeAccess,
  toVersion: string,
  opts: ReadOptions,
): Promise<{ problem: string | null; kubeletVersions: Map<string, string | null>; fromVersion: string | null; removedResources: { resource: string; count: number }[] }> {
  const kubeletVersions = new Map<string, string | null>();
  if (!access.ok) return { problem: access.message, kubeletVersions, fromVersion: null, removedResources: [] };
  try {
    const [nodes, pods] = await Promise.all([access.api.listNodes(opts), access.api.listPods(undefined, opts)]);
    for (const n of nodes) {
      kubeletVersions.set(n.name, n.kubeletVersion);
      for (const ip of n.internalIPs) kubeletVersions.set(ip, n.kubeletVersion);
    }
    const fromVersion = detectFromVersion(pods);
    const removed = fromVersion ? removedInUpgrade(fromVersion, toVersion).apiResources : [];
    const counts = await mapLimit(removed, 4, async (resource) => ({ resource, count: (await access.objects.countObjects(resourceListPath(resource)!, opts)) ?? 0 }));
    return { problem: null, kubeletVersions, fromVersion, removedResources: counts };
  } catch (e) {
    return { problem: errorText(e), kubeletVersions, fromVersion: null, removedResources: [] };
  }
}
