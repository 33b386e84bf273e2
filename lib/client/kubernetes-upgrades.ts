import type { z } from "zod";
import { queryOptions } from "@tanstack/react-query";

import { apiFetch } from "@/lib/client/api";
import { isEventStreamLive } from "@/lib/client/fleet";
import type {
  kubernetesUpgradeListResponseSchema,
  kubernetesUpgradePlanSchema,
  kubernetesUpgradePreviewSchema,
  KubernetesUpgradeAction,
  KubernetesUpgradePlan,
  KubernetesUpgradeRequest,
} from "@/lib/schemas/kubernetes-upgrades";
import { kubernetesUpgradeKeys } from "@/lib/client/query-keys";

export { kubernetesUpgradeKeys };

/** Live plans arrive over GET /api/events (`kubernetes-upgrade` events); while it is down their view polls. */
export const LIVE_POLL_MS = 1_000;
const LIVE = new Set(["pending", "running", "paused", "cancelling"]);

export const isLiveKubernetesUpgrade = (plan: Pick<KubernetesUpgradePlan, "state"> | undefined) => plan !== undefined && LIVE.has(plan.state);

/** GET /api/kubernetes-upgrades – history, newest first. */
export function kubernetesUpgradeListQueryOptions(cluster?: string) {
  const params = new URLSearchParams(cluster ? { cluster } : {});
  return queryOptions({
    queryKey: kubernetesUpgradeKeys.list(cluster),
    queryFn: ({ signal }) => apiFetch<z.output<typeof kubernetesUpgradeListResponseSchema>>(`/api/kubernetes-upgrades${cluster ? `?${params}` : ""}`, { signal }),
    refetchInterval: (q) => (q.state.data?.plans.some(isLiveKubernetesUpgrade) && !isEventStreamLive() ? LIVE_POLL_MS * 2 : false),
  });
}

/** GET /api/kubernetes-upgrades/:id – one plan, polled while it is live and the event stream is down. */
export function kubernetesUpgradeQueryOptions(id: string) {
  return queryOptions({
    queryKey: kubernetesUpgradeKeys.plan(id),
    queryFn: ({ signal }) => apiFetch<z.output<typeof kubernetesUpgradePlanSchema>>(`/api/kubernetes-upgrades/${encodeURIComponent(id)}`, { signal }),
    refetchInterval: (q) => ((q.state.data === undefined || isLiveKubernetesUpgrade(q.state.data)) && !isEventStreamLive() ? LIVE_POLL_MS : false),
    staleTime: 0,
  });
}

/** POST /api/kubernetes-upgrades/plan – the preview (422 for an unsupported jump). */
export function previewKubernetesUpgrade(body: KubernetesUpgradeRequest) {
  return apiFetch<z.output<typeof kubernetesUpgradePreviewSchema>>("/api/kubernetes-upgrades/plan", { method: "POST", json: body });
}

/** POST /api/kubernetes-upgrades – check and start. */
export function startKubernetesUpgrade(body: KubernetesUpgradeRequest) {
  return apiFetch<z.output<typeof kubernetesUpgradePlanSchema>>("/api/kubernetes-upgrades", { method: "POST", json: body });
}

/** POST /api/kubernetes-upgrades/:id/(pause|resume|cancel). */
export function controlKubernetesUpgrade(id: string, action: KubernetesUpgradeAction) {
  return apiFetch<z.output<typeof kubernetesUpgradePlanSchema>>(`/api/kubernetes-upgrades/${encodeURIComponent(id)}/${action}`, { method: "POST" });
}
