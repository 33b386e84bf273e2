import type { z } from "zod";
import { queryOptions } from "@tanstack/react-query";

import { apiFetch } from "@/lib/client/api";
import { postAndSave } from "@/lib/client/download";
import type { caRotationDryRunSchema, caRotationListSchema, caRotationSchema, CaRotation, CaRotationAction, CaRotationRequest } from "@/lib/schemas/ca-rotation";

/** Query keys for CA rotations. */
export const caRotationKeys = {
  all: ["ca-rotations"] as const,
  list: () => [...caRotationKeys.all, "list"] as const,
  one: (id: string) => [...caRotationKeys.all, "one", id] as const,
};

const LIVE = new Set(["pending", "running", "paused", "cancelling"]);
export const isLiveCaRotation = (r: Pick<CaRotation, "state"> | undefined) => r !== undefined && LIVE.has(r.state);

/** GET /api/ca-rotations – newest first; polled while one is live (rotations publish no events). */
export function caRotationListQueryOptions() {
  return queryOptions({
    queryKey: caRotationKeys.list(),
    queryFn: ({ signal }) => apiFetch<z.output<typeof caRotationListSchema>>("/api/ca-rotations", { signal }),
    refetchInterval: (q) => (q.state.data?.rotations.some(isLiveCaRotation) ? 2_000 : false),
  });
}

/** GET /api/ca-rotations/:id – polled while live. */
export function caRotationQueryOptions(id: string) {
  return queryOptions({
    queryKey: caRotationKeys.one(id),
    queryFn: ({ signal }) => apiFetch<z.output<typeof caRotationSchema>>(`/api/ca-rotations/${encodeURIComponent(id)}`, { signal }),
    refetchInterval: (q) => (q.state.data === undefined || isLiveCaRotation(q.state.data) ? 1_000 : false),
    staleTime: 0,
  });
}

/** POST /api/ca-rotations/dry-run – nothing changes. */
export function dryRunCaRotation(body: CaRotationRequest) {
  return apiFetch<z.output<typeof caRotationDryRunSchema>>("/api/ca-rotations/dry-run", { method: "POST", json: body });
}

/** POST /api/ca-rotations – new CAs made, the rotation starts. */
export function startCaRotation(body: CaRotationRequest) {
  return apiFetch<z.output<typeof caRotationSchema>>("/api/ca-rotations", { method: "POST", json: body });
}

/** POST /api/ca-rotations/:id/(pause|resume|cancel). */
export function controlCaRotation(id: string, action: CaRotationAction) {
  return apiFetch<z.output<typeof caRotationSchema>>(`/api/ca-rotations/${encodeURIComponent(id)}/${action}`, { method: "POST" });
}

/** POST /api/ca-rotations/:id/talosconfig – a talosconfig of the new CA (a fresh os:admin certificate), saved by the browser. */
export async function downloadNewTalosconfig(id: string): Promise<void> {
  await postAndSave(`/api/ca-rotations/${encodeURIComponent(id)}/talosconfig`, "talosconfig");
}
