import type { z } from "zod";
import { queryOptions } from "@tanstack/react-query";

import { apiFetch } from "@/lib/client/api";
import { isEventStreamLive } from "@/lib/client/fleet";
import type {
  upgradeListResponseSchema,
  upgradePlanSchema,
  upgradePreviewSchema,
  UpgradeAction,
  UpgradePlan,
  UpgradeRequest,
} from "@/lib/schemas/upgrades";
import type { DrainAction } from "@/lib/schemas/drain";
import { upgradeKeys } from "@/lib/client/query-keys";

export { upgradeKeys };

/**
 * A live plan arrives over GET /api/events (`useEventStream` puts each `upgrade` event in the
 * cache); while that stream is down its view polls every `LIVE_POLL_MS` instead.
 */
export const LIVE_POLL_MS = 1_000;
const LIVE = new Set(["pending", "running", "paused", "cancelling"]);

export const isLivePlan = (plan: Pick<UpgradePlan, "state"> | undefined) => plan !== undefined && LIVE.has(plan.state);

/** GET /api/upgrades – history, newest first; refreshed while any plan is live. */
export function upgradeListQueryOptions(cluster?: string) {
  const params = new URLSearchParams(cluster ? { cluster } : {});
  return queryOptions({
    queryKey: upgradeKeys.list(cluster),
    queryFn: ({ signal }) => apiFetch<z.output<typeof upgradeListResponseSchema>>(`/api/upgrades${cluster ? `?${params}` : ""}`, { signal }),
    refetchInterval: (q) => (q.state.data?.plans.some(isLivePlan) && !isEventStreamLive() ? LIVE_POLL_MS * 2 : false),
  });
}

/** GET /api/upgrades/:id – one plan, polled while it is live. */
export function upgradePlanQueryOptions(id: string) {
  return queryOptions({
    queryKey: upgradeKeys.plan(id),
    queryFn: ({ signal }) => apiFetch<z.output<typeof upgradePlanSchema>>(`/api/upgrades/${encodeURIComponent(id)}`, { signal }),
    refetchInterval: (q) => ((q.state.data === undefined || isLivePlan(q.state.data)) && !isEventStreamLive() ? LIVE_POLL_MS : false),
    staleTime: 0,
  });
}

/** POST /api/upgrades/plan – the dry run. */
export function previewUpgrade(body: UpgradeRequest) {
  return apiFetch<z.output<typeof upgradePreviewSchema>>("/api/upgrades/plan", { method: "POST", json: body });
}

/** POST /api/upgrades – plan and start. */
export function startUpgrade(body: UpgradeRequest) {
  return apiFetch<z.output<typeof upgradePlanSchema>>("/api/upgrades", { method: "POST", json: body });
}

/** POST /api/upgrades/:id/(pause|resume|cancel). */
export function controlUpgrade(id: string, action: UpgradeAction) {
  return apiFetch<z.output<typeof upgradePlanSchema>>(`/api/upgrades/${encodeURIComponent(id)}/${action}`, { method: "POST" });
}

/** POST /api/upgrades/:id/nodes/:node/(retry-drain|force-drain|skip-drain): a person's answer to a blocked drain. */
export function answerUpgradeDrain(id: string, node: string, action: DrainAction) {
  return apiFetch<z.output<typeof upgradePlanSchema>>(`/api/upgrades/${encodeURIComponent(id)}/nodes/${encodeURIComponent(node)}/${action}`, { method: "POST" });
}
