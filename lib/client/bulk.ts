import type { z } from "zod";
import { queryOptions } from "@tanstack/react-query";

import { apiFetch } from "@/lib/client/api";
import { isEventStreamLive } from "@/lib/client/fleet";
import type { bulkListResponseSchema, bulkRunSchema, createBulkResponseSchema, BulkRun, BulkRunActionName, CreateBulkBody } from "@/lib/schemas/bulk";
import { bulkKeys } from "@/lib/client/query-keys";

/** Bulk actions: the nodes table's selection bar and the /bulk pages. */

export { bulkKeys };

/** Live runs arrive over GET /api/events (`bulk` events); while that stream is down the view polls. */
export const LIVE_POLL_MS = 1_000;
export const isLiveRun = (r: Pick<BulkRun, "state"> | undefined) => r !== undefined && (r.state === "running" || r.state === "paused");

/** GET /api/bulk – runs, newest first. */
export function bulkListQueryOptions() {
  return queryOptions({
    queryKey: bulkKeys.list(),
    queryFn: ({ signal }) => apiFetch<z.output<typeof bulkListResponseSchema>>("/api/bulk", { signal }),
    refetchInterval: (q) => (q.state.data?.runs.some(isLiveRun) && !isEventStreamLive() ? LIVE_POLL_MS * 2 : false),
  });
}

/** GET /api/bulk/:id – one run, polled while it is live and the event stream is down. */
export function bulkRunQueryOptions(id: string) {
  return queryOptions({
    queryKey: bulkKeys.run(id),
    queryFn: ({ signal }) => apiFetch<z.output<typeof bulkRunSchema>>(`/api/bulk/${encodeURIComponent(id)}`, { signal }),
    refetchInterval: (q) => ((q.state.data === undefined || isLiveRun(q.state.data)) && !isEventStreamLive() ? LIVE_POLL_MS : false),
    staleTime: 0,
  });
}

/** POST /api/bulk – the plan (`dryRun: true`) or the started work. */
export function createBulk(body: CreateBulkBody) {
  return apiFetch<z.output<typeof createBulkResponseSchema>>("/api/bulk", { method: "POST", json: body });
}

/** POST /api/bulk/:id/(pause|resume|cancel) */
export function controlBulkRun(id: string, action: BulkRunActionName) {
  return apiFetch<z.output<typeof bulkRunSchema>>(`/api/bulk/${encodeURIComponent(id)}/${action}`, { method: "POST" });
}
