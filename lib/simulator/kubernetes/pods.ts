/**
 * Pod deletion and the Eviction subresource, as the API server does them
 * (pkg/registry/core/pod/storage/eviction.go): PodDisruptionBudgets are checked for running pods;
 * a budget with no disruption allowed answers 429 TooManyRequests with a DisruptionBudget cause.
 */
import type { KubeClusterView } from "./cluster-view";
import { MIRROR_ANNOTATION, type Pdb, type Pod, podReady } from "./objects";
import { matchesLabelSelector } from "./selectors";
import { KubeError, notFound } from "./status";

const PODS = { group: "", resource: "pods" };

function getPod(c: KubeClusterView, namespace: string, name: string): Pod {
  const p = c.store.get("pods", namespace, name) as Pod | undefined;
  if (!p) throw notFound(PODS, name);
  return p;
}

function record(c: KubeClusterView, p: Pod, event: string, detail: string): void {
  c.simNode(p.spec.nodeName ?? "")?.record({ event, detail });
}

/** DELETE …/pods/:name. A mirror pod comes back at once (its kubelet recreates it). */
export function deletePod(c: KubeClusterView, namespace: string, name: string, gracePeriodSeconds: number | undefined): Pod {
  const p = getPod(c, namespace, name);
  const out = p.metadata.deletionTimestamp && gracePeriodSeconds !== 0 ? p : c.controllers.terminate(p, p.metadata.annotations?.[MIRROR_ANNOTATION] ? 0 : gracePeriodSeconds);
  record(c, p, "pod-deleted", `${namespace}/${name}`);
  return out;
}

/** POST …/pods/:name/eviction → 201 Success Status, or a KubeError (404, 429, 500). */
export function evictPod(c: KubeClusterView, namespace: string, name: string, gracePeriodSeconds: number | undefined): void {
  const p = getPod(c, namespace, name);
  // canIgnorePDB: finished, pending or already terminating pods are deleted without a budget check.
  const ignore = p.status.phase === "Succeeded" || p.status.phase === "Failed" || p.status.phase === "Pending" || !!p.metadata.deletionTimestamp;
  if (!ignore) {
    const pdbs = (c.store.peekAll("poddisruptionbudgets", namespace) as Pdb[]).filter((b) => b.spec.selector !== undefined && matchesLabelSelector(b.spec.selector, p.metadata.labels));
    if (pdbs.length > 1) throw new KubeError(500, "InternalError", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
    const pdb = pdbs[0];
    if (pdb) {
      const st = c.controllers.pdbStatus(pdb);
      // IfHealthyBudget: an unready pod may go while the budget is met.
      const unhealthyButBudgetMet = !podReady(p) && st.currentHealthy >= st.desiredHealthy && st.desiredHealthy > 0;
      if (!unhealthyButBudgetMet && st.disruptionsAllowed <= 0) {
        record(c, p, "evict-blocked", `${namespace}/${name} ${namespace}/${pdb.metadata.name}`);
        throw new KubeError(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.", {
          causes: [{ reason: "DisruptionBudget", message: `The disruption budget ${pdb.metadata.name} needs ${st.desiredHealthy} healthy pods and has ${st.currentHealthy} currently` }],
        });
      }
    }
  }
  c.controllers.terminate(p, p.metadata.annotations?.[MIRROR_ANNOTATION] ? 0 : gracePeriodSeconds);
  record(c, p, "evict", `${namespace}/${name}`);
}
