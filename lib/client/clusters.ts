import type { z } from "zod";
import { queryOptions } from "@tanstack/react-query";

import { apiFetch } from "@/lib/client/api";
import type {
  clustersResponseSchema,
  removeUploadResponseSchema,
  uploadTalosconfigResponseSchema,
  UploadTalosconfigBody,
} from "@/lib/schemas/fleet";

/**
 * GET /api/clusters – the clusters and their node addresses. One query for the clusters page and
 * the config editor's node pickers, so one invalidation refreshes both.
 */
export const clustersQueryOptions = queryOptions({
  queryKey: ["clusters"] as const,
  queryFn: ({ signal }) => apiFetch<z.output<typeof clustersResponseSchema>>("/api/clusters", { signal }),
});

/** POST /api/clusters/talosconfig – upload a talosconfig; its contexts become clusters. */
export function uploadTalosconfig(body: UploadTalosconfigBody) {
  return apiFetch<z.output<typeof uploadTalosconfigResponseSchema>>("/api/clusters/talosconfig", { method: "POST", json: body });
}

/** DELETE /api/clusters/talosconfig/:id – remove an uploaded talosconfig and its clusters. */
export function removeUploadedTalosconfig(id: string) {
  return apiFetch<z.output<typeof removeUploadResponseSchema>>(`/api/clusters/talosconfig/${encodeURIComponent(id)}`, { method: "DELETE" });
}
