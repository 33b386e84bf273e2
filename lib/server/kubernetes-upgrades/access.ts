import "server-only";

import type { KubeConfig } from "@kubernetes/client-node";

import type { KubernetesAccessProvider } from "@/lib/server/kubernetes/types";

import { createKubeObjectApi } from "./objects";
import type { KubeObjectApi, KubeUpgradeAccess } from "./probes";

/**
 * A Kubernetes upgrade's access to a cluster: the shared KubeApi of lib/server/kubernetes plus the
 * object calls of ./objects, both from the provider's one cached kubeconfig. No cache of its own:
 * when the provider drops its client (an upload or delete, a 401, a removed cluster, a certificate
 * near expiry) it hands out a new config and the object API is rebuilt from that.
 */
export function createUpgradeAccess(provider: KubernetesAccessProvider): (cluster: string) => Promise<KubeUpgradeAccess> {
  // Keyed by the provider's config object: same cached client, same object API; a new one, rebuilt.
  const built = new WeakMap<KubeConfig, KubeObjectApi>();
  return async (cluster) => {
    const a = await provider.forCluster(cluster);
    if (!a.ok) return { ok: false, message: a.message };
    if (!a.config) return { ok: false, message: `the Kubernetes access of cluster ${cluster} gives no kubeconfig for the upgrade's object calls` };
    let objects = built.get(a.config);
    if (!objects) {
      objects = createKubeObjectApi(a.config, cluster);
      built.set(a.config, objects);
    }
    return { ok: true, api: a.api, objects };
  };
}
