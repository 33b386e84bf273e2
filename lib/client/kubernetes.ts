import { queryOptions } from "@tanstack/react-query";
import { z } from "zod";

import { apiFetch, ApiError } from "@/lib/client/api";
import {
  blockingPodSchema,
  type cordonResultSchema,
  drainResultSchema,
  type kubeconfigInfoSchema,
  type BlockingPod,
  type DrainRequest,
  type DrainResult,
} from "@/lib/schemas/kubernetes";

/**
 * The Kubernetes side of the client: each cluster's kubeconfig info (never the file), and the
 * node actions. Node status itself lives in the fleet queries (GET /api/nodes carries
 * `nodes[].kubernetes` and `clusters[].kubernetes`, kept live by the SSE stream).
 */
export const kubernetesKeys = {
  all: ["kubernetes"] as const,
  kubeconfig: (cluster: string) => [...kubernetesKeys.all, "kubeconfig", cluster] as const,
};

const nodePath = (node: string, action: "cordon" | "uncordon" | "drain") => `/api/nodes/${encodeURIComponent(node)}/${action}`;
const kubeconfigPath = (cluster: string) => `/api/clusters/${encodeURIComponent(cluster)}/kubeconfig`;

/** GET /api/clusters/:cluster/kubeconfig – where the cluster's kubeconfig comes from and whether it works. */
export function kubeconfigInfoQueryOptions(cluster: string) {
  return queryOptions({
    queryKey: kubernetesKeys.kubeconfig(cluster),
    queryFn: ({ signal }) => apiFetch<z.output<typeof kubeconfigInfoSchema>>(kubeconfigPath(cluster), { signal }),
  });
}

/** PUT /api/clusters/:cluster/kubeconfig [admin] – upload a kubeconfig; the server validates and seals it. */
export function uploadKubeconfig(cluster: string, kubeconfig: string) {
  return apiFetch<z.output<typeof kubeconfigInfoSchema>>(kubeconfigPath(cluster), { method: "PUT", json: { kubeconfig } });
}

/** DELETE /api/clusters/:cluster/kubeconfig [admin] – forget the upload; Minos asks Talos again. */
export function removeKubeconfig(cluster: string) {
  return apiFetch<z.output<typeof kubeconfigInfoSchema>>(kubeconfigPath(cluster), { method: "DELETE" });
}

/** POST /api/nodes/:node/cordon [operator] */
export function cordonNode(node: string) {
  return apiFetch<z.output<typeof cordonResultSchema>>(nodePath(node, "cordon"), { method: "POST" });
}

/** POST /api/nodes/:node/uncordon [operator] */
export function uncordonNode(node: string) {
  return apiFetch<z.output<typeof cordonResultSchema>>(nodePath(node, "uncordon"), { method: "POST" });
}

/**
 * POST /api/nodes/:node/drain [operator]. The request lasts as long as the drain (up to its
 * timeout). A drain halted by a PodDisruptionBudget answers 409; `blockedDrain` reads it.
 */
export function drainNode(node: string, body: DrainRequest): Promise<DrainResult> {
  return apiFetch<z.output<typeof drainResultSchema>>(nodePath(node, "drain"), { method: "POST", json: body });
}

// The 409's details: the whole DrainResult, or at least the blocking pods (and what was evicted).
const blockedDetailsSchema = z.union([drainResultSchema, z.object({ blocking: z.array(blockingPodSchema), evicted: z.array(z.string()).optional() })]);

/** What a halted drain left: the pods still on the node and the PDBs that hold them. */
export interface BlockedDrain {
  blocking: BlockingPod[];
  evicted: string[];
}

/**
 * The blocking pods of a halted drain (a 409 whose details name them), or null when the error is
 * anything else. Tolerates a details object that carries only `blocking`.
 */
export function blockedDrain(error: unknown): BlockedDrain | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const parsed = blockedDetailsSchema.safeParse(error.details);
  if (!parsed.success) return null;
  return { blocking: parsed.data.blocking, evicted: parsed.data.evicted ?? [] };
}

/** The PDBs named by any blocking pod, once each, sorted. */
export function blockingPdbs(blocking: readonly BlockingPod[]): string[] {
  return [...new Set(blocking.flatMap((p) => p.pdbs))].sort();
}
