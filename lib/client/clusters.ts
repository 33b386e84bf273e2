import { queryOptions } from "@tanstack/react-query";

import { apiFetch } from "@/lib/client/api";
import {
  clustersResponseSchema,
  removeUploadResponseSchema,
  uploadTalosconfigResponseSchema,
  type UploadTalosconfigBody,
} from "@/lib/schemas/fleet";

/**
 * GET /api/clusters – the clusters and their node addresses. One query for the clusters page and
 * the config editor's node pickers, so one invalidation refreshes both.
 */
export const clustersQueryOptions = queryOptions({
  queryKey: ["clusters"] as const,
  queryFn: ({ signal }) => apiFetch("/api/clusters", clustersResponseSchema, { signal }),
});

/** POST /api/clusters/talosconfig – upload a talosconfig; its contexts become clusters. */
export function uploadTalosconfig(body: UploadTalosconfigBody) {
  return apiFetch("/api/clusters/talosconfig", uploadTalosconfigResponseSchema, { method: "POST", json: body });
}

/** DELETE /api/clusters/talosconfig/:id – remove an uploaded talosconfig and its clusters. */
export function removeUploadedTalosconfig(id: string) {
  return apiFetch(`/api/clusters/talosconfig/${encodeURIComponent(id)}`, removeUploadResponseSchema, { method: "DELETE" });
}
