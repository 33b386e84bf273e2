import { queryOptions } from "@tanstack/react-query";
import type { z } from "zod";

import { ApiError, apiFetch } from "@/lib/client/api";
import type {
  adoptResponseSchema,
  applyPlanResponseSchema,
  clusterDriftResponseSchema,
  clusterSecretsResponseSchema,
  manifestResponseSchema,
  manifestRevisionDetailSchema,
  manifestRevisionListSchema,
  planResponseSchema,
  putManifestResponseSchema,
  renderResponseSchema,
  validateManifestResponseSchema,
  planBodySchema,
} from "@/lib/schemas/manifests";

/** `/api/clusters/:cluster` – the cluster id is Minos's (GET /api/clusters), not Talos's cluster name. */
export const clusterPath = (cluster: string) => `/api/clusters/${encodeURIComponent(cluster)}`;

/** Query keys of cluster manifests: the manifest, its revisions and the cluster's drift. */
export const manifestKeys = {
  all: ["manifests"] as const,
  cluster: (cluster: string) => [...manifestKeys.all, cluster] as const,
  manifest: (cluster: string) => [...manifestKeys.cluster(cluster), "manifest"] as const,
  revisions: (cluster: string) => [...manifestKeys.cluster(cluster), "revisions"] as const,
  revision: (cluster: string, revision: number, against: number | null) => [...manifestKeys.revisions(cluster), revision, against] as const,
  drift: (cluster: string) => [...manifestKeys.cluster(cluster), "drift"] as const,
};

/**
 * GET …/manifest – the latest revision (redacted unless an admin reads it); `null` before the
 * cluster is adopted (the API's 404), which the page shows as the adoption step, not an error.
 */
export function manifestQueryOptions(cluster: string) {
  return queryOptions({
    queryKey: manifestKeys.manifest(cluster),
    queryFn: async ({ signal }) => {
      try {
        return await apiFetch<z.output<typeof manifestResponseSchema>>(`${clusterPath(cluster)}/manifest`, { signal });
      } catch (e) {
        if (e instanceof ApiError && e.status === 404 && e.code === "not_found") return null;
        throw e;
      }
    },
    // The editor holds its own text; a background refetch must not look like someone else's save.
    staleTime: Infinity,
  });
}

/** GET …/manifest/revisions – newest first. */
export function manifestRevisionsQueryOptions(cluster: string) {
  return queryOptions({
    queryKey: manifestKeys.revisions(cluster),
    queryFn: ({ signal }) => apiFetch<z.output<typeof manifestRevisionListSchema>>(`${clusterPath(cluster)}/manifest/revisions`, { signal }),
  });
}

/** GET …/manifest/revisions/:id[?against=] – one revision's text, and the diff from `against` to it. */
export function manifestRevisionQueryOptions(cluster: string, revision: number, against: number | null = null) {
  const query = against === null ? "" : `?${new URLSearchParams({ against: String(against) })}`;
  return queryOptions({
    queryKey: manifestKeys.revision(cluster, revision, against),
    queryFn: ({ signal }) => apiFetch<z.output<typeof manifestRevisionDetailSchema>>(`${clusterPath(cluster)}/manifest/revisions/${revision}${query}`, { signal }),
    // A revision never changes once written.
    staleTime: Infinity,
  });
}

/** GET …/drift – every node against the render of the current manifest. It asks each node: no polling. */
export function clusterDriftQueryOptions(cluster: string) {
  return queryOptions({
    queryKey: manifestKeys.drift(cluster),
    queryFn: ({ signal }) => apiFetch<z.output<typeof clusterDriftResponseSchema>>(`${clusterPath(cluster)}/drift`, { signal }),
    staleTime: 30_000,
  });
}

// Mutations: plain functions for useMutation({ mutationFn }); apiFetch adds the CSRF header.

/** POST …/manifest/adopt – 422 carries `{report}` in the envelope's details (nothing saved). */
export function adoptManifest(cluster: string, replace = false) {
  return apiFetch<z.output<typeof adoptResponseSchema>>(`${clusterPath(cluster)}/manifest/adopt`, { method: "POST", json: replace ? { replace } : {} });
}

/** PUT …/manifest – 409 `conflict` when `baseRevision` is no longer the latest. */
export function saveManifest(cluster: string, body: { yaml: string; baseRevision: number; message?: string }) {
  return apiFetch<z.output<typeof putManifestResponseSchema>>(`${clusterPath(cluster)}/manifest`, { method: "PUT", json: body });
}

/** POST …/manifest/validate – the manifest and every node's render, problems on manifest lines. */
export function validateManifest(cluster: string, yaml: string, signal?: AbortSignal) {
  return apiFetch<z.output<typeof validateManifestResponseSchema>>(`${clusterPath(cluster)}/manifest/validate`, { method: "POST", json: { yaml }, signal });
}

/** POST …/manifest/render – one node's rendered config and its diff against the running one. */
export function renderManifestNode(cluster: string, yaml: string, node: string, signal?: AbortSignal) {
  return apiFetch<z.output<typeof renderResponseSchema>>(`${clusterPath(cluster)}/manifest/render`, { method: "POST", json: { yaml, node }, signal });
}

export type PlanBody = z.input<typeof planBodySchema>;

/** POST …/manifest/plan – every node's dry run: what it would do with its render. */
export function planManifest(cluster: string, body: PlanBody) {
  return apiFetch<z.output<typeof planResponseSchema>>(`${clusterPath(cluster)}/manifest/plan`, { method: "POST", json: body });
}

/** POST …/manifest/apply – 409 when the plan is stale or any node is refused or unreachable. */
export function applyManifestPlan(cluster: string, body: { planId: string; concurrency?: number }) {
  return apiFetch<z.output<typeof applyPlanResponseSchema>>(`${clusterPath(cluster)}/manifest/apply`, { method: "POST", json: body });
}

/** GET …/secrets – talosctl's secrets.yaml [admin, audited]: fetched on demand, never cached. */
export function exportClusterSecrets(cluster: string) {
  return apiFetch<z.output<typeof clusterSecretsResponseSchema>>(`${clusterPath(cluster)}/secrets`);
}
