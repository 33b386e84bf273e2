import "server-only";

import { errorText } from "@/lib/server/jobs";
import type { KubernetesAccessProvider } from "@/lib/server/kubernetes/types";
import type { KubeAccessDeps } from "@/lib/server/kubernetes/access";
import { parseKubeconfig } from "@/lib/server/kubernetes/kubeconfig";

import { createKubeObjectApi } from "./objects";
import type { KubeObjectApi, KubeUpgradeAccess } from "./probes";

/** How long a kubeconfig for the object calls is reused before it is read again. */
const TTL_MS = 5 * 60_000;

/**
 * A Kubernetes upgrade's access to a cluster: the shared KubeApi (lib/server/kubernetes, its
 * provider and cache) plus the object calls of ./objects, built from the same kubeconfig source
 * (the uploaded one first, else Talos's Kubeconfig from a control plane), cached per cluster.
 */
export function createUpgradeAccess(provider: KubernetesAccessProvider, deps: Pick<KubeAccessDeps, "uploaded" | "talos">, now: () => number = Date.now): (cluster: string) => Promise<KubeUpgradeAccess> {
  const cache = new Map<string, { objects: KubeObjectApi; until: number }>();

  async function objectsFor(cluster: string): Promise<KubeObjectApi> {
    const hit = cache.get(cluster);
    if (hit && now() < hit.until) return hit.objects;
    let text: string | null = (await deps.uploaded(cluster))?.kubeconfig ?? null;
    if (text === null) {
      const { client, controlPlanes } = await deps.talos(cluster);
      const reasons: string[] = [];
      for (const node of controlPlanes.length > 0 ? controlPlanes : [undefined]) {
        try {
          text = await client.kubeconfig(node, { timeoutMs: 5000 });
          break;
        } catch (e) {
          reasons.push(`${node ?? "the endpoint"}: ${errorText(e)}`);
        }
      }
      if (text === null) throw new Error(`no control plane gave a kubeconfig (${reasons.join("; ")})`);
    }
    const objects = createKubeObjectApi(parseKubeconfig(text).config, cluster);
    cache.set(cluster, { objects, until: now() + TTL_MS });
    return objects;
  }

  return async (cluster) => {
    const a = await provider.forCluster(cluster);
    if (!a.ok) return { ok: false, message: a.message };
    try {
      return { ok: true, api: a.api, objects: await objectsFor(cluster) };
    } catch (e) {
      cache.delete(cluster);
      return { ok: false, message: errorText(e) };
    }
  };
}
