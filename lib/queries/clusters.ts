import { csrfHeaders } from "@/lib/auth/csrf";
import { apiFetch } from "@/lib/queries/api";
import {
  removeUploadResponseSchema,
  uploadTalosconfigResponseSchema,
  type UploadTalosconfigBody,
} from "@/lib/schemas/fleet";

// The cluster list's query is shared with the config editor's node picker, so one invalidation refreshes both.
export { clustersQueryOptions } from "@/lib/queries/config";

/** POST /api/clusters/talosconfig – upload a talosconfig; its contexts become clusters. */
export function uploadTalosconfig(body: UploadTalosconfigBody) {
  return apiFetch("/api/clusters/talosconfig", uploadTalosconfigResponseSchema, { method: "POST", json: body, headers: csrfHeaders() });
}

/** DELETE /api/clusters/talosconfig/:id – remove an uploaded talosconfig and its clusters. */
export function removeUploadedTalosconfig(id: string) {
  return apiFetch(`/api/clusters/talosconfig/${encodeURIComponent(id)}`, removeUploadResponseSchema, { method: "DELETE", headers: csrfHeaders() });
}
