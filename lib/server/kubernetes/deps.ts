import "server-only";

import { UNKNOWN_CLUSTER_KUBERNETES, UNKNOWN_NODE_KUBERNETES } from "@/lib/schemas/kubernetes";
import { getClusterClient } from "@/lib/server/fleet/clients";
import { currentFleetPoller, getFleetPoller } from "@/lib/server/fleet/service";
import { getDb } from "@/lib/server/platform/db/db";
import { env } from "@/lib/server/platform/env";
import { subscribe } from "@/lib/server/platform/events";
import { processState } from "@/lib/server/platform/process-state";
import { getSecretBox } from "@/lib/server/platform/secret-box";

import { createKubeAccessProvider, type CachingKubeAccessProvider, type KubeAccessDeps } from "./access";
import { createNodeDrainer } from "./drainer";
import { getKubeconfig, getKubeconfigMeta } from "./kubeconfigs";
import { startKubernetesStatusJob, type KubernetesStatusJob } from "./status";
import type { UncordonSweepDeps } from "./uncordon-sweep";
import type { KubernetesStatusSource, NodeDrainer } from "./types";

/**
 * The process's Kubernetes services, built once into the process state (see
 * platform/process-state.ts): the access provider (its cache of clients is per process), the
 * drainer the routes and runners use, and the status job that runtime.ts starts.
 */
const g = processState<{ __minosKubeAccess?: CachingKubeAccessProvider; __minosNodeDrainer?: NodeDrainer; __minosKubeStatus?: KubernetesStatusJob }>();

/** Reads the store, the secret box, the cluster's Talos client and the poller's control planes. */
export function defaultKubeAccessDeps(): KubeAccessDeps {
  return {
    uploaded: (cluster) => getKubeconfig(getDb(), getSecretBox(env()), cluster),
    uploadStamp: async (cluster) => (await getKubeconfigMeta(getDb(), cluster))?.uploadedAt ?? null,
    talos: async (cluster) => {
      const client = await getClusterClient(cluster);
      // Control planes the poller reached last first; with none known, the endpoint itself
      // (talosconfig endpoints are control planes).
      const cps = (currentFleetPoller()?.talosNodes(cluster) ?? []).filter((n) => n.role === "controlplane").sort((a, b) => Number(b.reachable) - Number(a.reachable));
      return { client, controlPlanes: cps.map((n) => n.address) };
    },
    now: Date.now,
  };
}

export function getKubeAccess(): CachingKubeAccessProvider {
  if (!g.__minosKubeAccess) {
    const provider = createKubeAccessProvider(defaultKubeAccessDeps());
    // A cluster uploaded again under the same name may be another cluster: forget its client.
    subscribe("clusters", ({ clusters }) => clusters.forEach((c) => provider.invalidate(c)));
    g.__minosKubeAccess = provider;
  }
  return g.__minosKubeAccess;
}

export function getNodeDrainer(): NodeDrainer {
  g.__minosNodeDrainer ??= createNodeDrainer(getKubeAccess());
  return g.__minosNodeDrainer;
}

/**
 * Starts the status job at the fleet poll interval, feeding the fleet snapshot (runtime.ts), and,
 * with `afterBoot`, uncordoning Nodes a single-node apply left for after their reboot. Returns its stop.
 */
export function startKubernetesStatus(afterBoot?: UncordonSweepDeps): () => void {
  if (!g.__minosKubeStatus) {
    const poller = getFleetPoller();
    g.__minosKubeStatus = startKubernetesStatusJob(
      getKubeAccess(),
      {
        clusterNames: () => poller.clusterNames(),
        talosNodes: (cluster) => poller.talosNodes(cluster),
        setClusterKubernetes: (cluster, status) => poller.setClusterKubernetes(cluster, status),
      },
      { intervalMs: poller.intervalMs, afterBoot },
    );
  }
  return () => {
    g.__minosKubeStatus?.stop();
    g.__minosKubeStatus = undefined;
  };
}

/** Reads a cluster's status now when the job runs (after a cordon, drain, upload); no-op otherwise. */
export async function refreshKubernetesStatus(cluster: string): Promise<void> {
  await g.__minosKubeStatus?.refresh(cluster);
}

/** The status as GET /api/nodes shows it (the fleet snapshot), for runners that want to read it without asking Kubernetes. */
export function getKubernetesStatusSource(): KubernetesStatusSource {
  return {
    cluster: (cluster) => currentFleetPoller()?.snapshot(cluster).clusters[0]?.kubernetes ?? UNKNOWN_CLUSTER_KUBERNETES,
    node: (ref) => currentFleetPoller()?.snapshot(ref.cluster).nodes.find((n) => n.address === ref.address)?.kubernetes ?? UNKNOWN_NODE_KUBERNETES,
  };
}
