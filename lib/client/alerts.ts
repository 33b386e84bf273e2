import { queryOptions, type QueryClient } from "@tanstack/react-query";
import type { z } from "zod";

import { apiFetch } from "@/lib/client/api";
import { FALLBACK_POLL_MS, isEventStreamLive } from "@/lib/client/fleet";
import type {
  alertRuleSchema,
  alertRulesResponseSchema,
  alertSchema,
  alertsResponseSchema,
  channelSchema,
  channelsResponseSchema,
  channelTestResponseSchema,
  createChannelResponseSchema,
  deliveriesResponseSchema,
  silenceSchema,
  silencesResponseSchema,
  AckAlertBody,
  Alert,
  AlertChannelEvent,
  AlertEvent,
  AlertRuleId,
  AlertSeverity,
  AlertsResponse,
  Channel,
  ChannelsResponse,
  CreateChannelBody,
  CreateSilenceBody,
  PatchAlertRuleBody,
  PatchChannelBody,
} from "@/lib/schemas/alerts";

/** What a list of alerts is filtered by (GET /api/alerts's query, the defaults left out). */
export interface AlertsFilter {
  state?: "active" | "firing" | "pending" | "history" | "all";
  cluster?: string;
  node?: string;
  rule?: AlertRuleId;
  severity?: AlertSeverity;
  limit?: number;
}

export interface DeliveriesFilter {
  channel?: string;
  alert?: string;
  ok?: "true" | "false";
  limit?: number;
}

/** The filter with defaults filled in and empty values dropped, so equal filters share one cache entry. */
export function normalizeAlertsFilter(f: AlertsFilter = {}): AlertsFilter {
  const out: AlertsFilter = { state: f.state ?? "active" };
  if (f.cluster) out.cluster = f.cluster;
  if (f.node) out.node = f.node;
  if (f.rule) out.rule = f.rule;
  if (f.severity) out.severity = f.severity;
  if (f.limit !== undefined && f.limit !== 200) out.limit = f.limit;
  return out;
}

function search(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== "");
  return entries.length === 0 ? "" : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}`;
}

export const alertKeys = {
  all: ["alerts"] as const,
  lists: () => [...alertKeys.all, "list"] as const,
  list: (f: AlertsFilter = {}) => [...alertKeys.lists(), normalizeAlertsFilter(f)] as const,
  rules: () => [...alertKeys.all, "rules"] as const,
  silences: (state: "active" | "all") => [...alertKeys.all, "silences", state] as const,
  channels: () => [...alertKeys.all, "channels"] as const,
  deliveriesAll: () => [...alertKeys.all, "deliveries"] as const,
  deliveries: (f: DeliveriesFilter = {}) => [...alertKeys.deliveriesAll(), { ...f }] as const,
};

/** The alerts list key's filter (the last element), as written by alertKeys.list. */
export function filterOfAlertsKey(key: readonly unknown[]): AlertsFilter {
  return (key[2] as AlertsFilter | undefined) ?? { state: "active" };
}

/**
 * GET /api/alerts. Live over SSE (`alerts`, see applyAlertEvent); polled only while the stream is
 * down. The header's bell, the overview and the alerts page share the default (active) list.
 */
export function alertsQueryOptions(f: AlertsFilter = {}) {
  const filter = normalizeAlertsFilter(f);
  return queryOptions({
    queryKey: alertKeys.list(filter),
    queryFn: ({ signal }) =>
      apiFetch<z.output<typeof alertsResponseSchema>>(`/api/alerts${search({ state: filter.state, cluster: filter.cluster, node: filter.node, rule: filter.rule, severity: filter.severity, limit: filter.limit })}`, { signal }),
    refetchInterval: () => (isEventStreamLive() ? false : FALLBACK_POLL_MS * 3),
  });
}

export function alertRulesQueryOptions() {
  return queryOptions({ queryKey: alertKeys.rules(), queryFn: ({ signal }) => apiFetch<z.output<typeof alertRulesResponseSchema>>("/api/alerts/rules", { signal }) });
}

export function silencesQueryOptions(state: "active" | "all" = "all") {
  return queryOptions({ queryKey: alertKeys.silences(state), queryFn: ({ signal }) => apiFetch<z.output<typeof silencesResponseSchema>>(`/api/alerts/silences${search({ state })}`, { signal }) });
}

export function channelsQueryOptions() {
  return queryOptions({ queryKey: alertKeys.channels(), queryFn: ({ signal }) => apiFetch<z.output<typeof channelsResponseSchema>>("/api/alerts/channels", { signal }) });
}

/** GET /api/alerts/deliveries; a retry can land any second, so the log refreshes while open. */
export function deliveriesQueryOptions(f: DeliveriesFilter = {}) {
  return queryOptions({
    queryKey: alertKeys.deliveries(f),
    queryFn: ({ signal }) => apiFetch<z.output<typeof deliveriesResponseSchema>>(`/api/alerts/deliveries${search({ channel: f.channel, alert: f.alert, ok: f.ok, limit: f.limit })}`, { signal }),
    refetchInterval: 15_000,
  });
}

// Mutations: plain functions for useMutation({ mutationFn }); apiFetch adds the CSRF header.

const id = (s: string) => encodeURIComponent(s);

export const ackAlert = (alertId: string, body: AckAlertBody = {}) => apiFetch<z.output<typeof alertSchema>>(`/api/alerts/${id(alertId)}/ack`, { method: "POST", json: body });
export const patchAlertRule = (rule: AlertRuleId, body: PatchAlertRuleBody) => apiFetch<z.output<typeof alertRuleSchema>>(`/api/alerts/rules/${id(rule)}`, { method: "PATCH", json: body });
export const createSilence = (body: CreateSilenceBody) => apiFetch<z.output<typeof silenceSchema>>("/api/alerts/silences", { method: "POST", json: body });
export const endSilence = (silenceId: string) => apiFetch<z.output<typeof silenceSchema>>(`/api/alerts/silences${search({ id: silenceId })}`, { method: "DELETE" });
export const createChannel = (body: CreateChannelBody) => apiFetch<z.output<typeof createChannelResponseSchema>>("/api/alerts/channels", { method: "POST", json: body });
export const patchChannel = (channelId: string, body: PatchChannelBody) => apiFetch<z.output<typeof channelSchema>>(`/api/alerts/channels/${id(channelId)}`, { method: "PATCH", json: body });
export const deleteChannel = (channelId: string) => apiFetch<{ id: string }>(`/api/alerts/channels/${id(channelId)}`, { method: "DELETE" });
export const testChannel = (channelId: string) => apiFetch<z.output<typeof channelTestResponseSchema>>(`/api/alerts/channels/${id(channelId)}/test`, { method: "POST" });

// ── live updates (SSE) ─────────────────────────────────────────────────────────────────────

/** Whether an alert belongs in a list with this filter (the server's filter, applied to one alert). */
export function alertMatches(a: Alert, f: AlertsFilter): boolean {
  // A pending alert whose condition went away before it fired is deleted, not stored as resolved:
  // the SSE event sends it as `resolved` with no startsAt only so lists drop it. It belongs nowhere.
  if (a.status === "resolved" && a.startsAt === null) return false;
  const state = f.state ?? "active";
  const stateOk =
    state === "all" ||
    (state === "active" && a.status !== "resolved") ||
    (state === "history" && a.status === "resolved") ||
    state === a.status;
  return stateOk && (!f.cluster || a.cluster === f.cluster) && (!f.node || a.node === f.node) && (!f.rule || a.rule === f.rule) && (!f.severity || a.severity === f.severity);
}

const SEVERITY_RANK: Record<AlertSeverity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * The server's order (GET /api/alerts): active lists most urgent first (critical, warning, info),
 * then the oldest; history and `all` newest first. Ties by id, as the query breaks them.
 */
export function compareAlerts(state: AlertsFilter["state"] = "active"): (a: Alert, b: Alert) => number {
  const byId = (a: Alert, b: Alert) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  if (state === "history" || state === "all") return (a, b) => b.pendingSince.localeCompare(a.pendingSince) || byId(a, b);
  return (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.pendingSince.localeCompare(b.pendingSince) || byId(a, b);
}

/**
 * One cached list after an SSE `alerts` event: the new counts, and each changed alert put in (or
 * taken out of) the list by the list's own filter. An event older than the cached data is ignored
 * (a refetch may have answered after the event was sent). Nothing cached: nothing to update.
 */
export function applyAlertEvent(data: AlertsResponse | undefined, event: AlertEvent, filter: AlertsFilter): AlertsResponse | undefined {
  if (!data) return data;
  if (data.evaluatedAt && data.evaluatedAt > event.evaluatedAt) return data;
  const changed = new Map(event.changed.map((a) => [a.id, a]));
  const kept = data.alerts.filter((a) => !changed.has(a.id));
  const added = event.changed.filter((a) => alertMatches(a, filter));
  const limit = filter.limit ?? 200;
  return { counts: event.counts, evaluatedAt: event.evaluatedAt, alerts: [...kept, ...added].sort(compareAlerts(filter.state)).slice(0, limit) };
}

/** Every cached alerts list after an SSE `alerts` event. */
export function applyAlertEventToCache(client: QueryClient, event: AlertEvent): void {
  for (const [key] of client.getQueriesData<AlertsResponse>({ queryKey: alertKeys.lists() })) {
    client.setQueryData<AlertsResponse>(key, (old) => applyAlertEvent(old, event, filterOfAlertsKey(key)));
  }
}

/** The channels list after an SSE `alert-channel` event (a channel became failing, or ok again). */
export function applyChannelEvent(data: ChannelsResponse | undefined, event: AlertChannelEvent): ChannelsResponse | undefined {
  if (!data) return data;
  const i = data.channels.findIndex((c) => c.id === event.channel.id);
  if (i === -1) return { channels: [...data.channels, event.channel] };
  const channels: Channel[] = [...data.channels];
  channels[i] = event.channel;
  return { channels };
}
