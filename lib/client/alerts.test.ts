import { describe, expect, it } from "vitest";

import { alertKeys, alertMatches, alertsQueryOptions, applyAlertEvent, applyAlertEventToCache, applyChannelEvent, filterOfAlertsKey, normalizeAlertsFilter } from "@/lib/client/alerts";
import { makeQueryClient } from "@/lib/client/query-client";
import { alertEventSchema, alertsResponseSchema, type AlertsResponse } from "@/lib/schemas/alerts";
import { alertFixture, channelFixture, countsFixture } from "@/test/alerts/ui-fixtures";

const T = "2026-12-07T00:00:10.000Z";
const firing = alertFixture();
const pendingWarn = alertFixture({ id: "al-2", key: "node-not-ready|prod|10.5.0.4@prod|", rule: "node-not-ready", severity: "warning", status: "pending", node: "10.5.0.4@prod", hostname: "worker-4", startsAt: null, lastNotifiedAt: null });
const otherCluster = alertFixture({ id: "al-3", key: "etcd-quorum|stage||", rule: "etcd-quorum", cluster: "stage", node: null, hostname: null });

const list = (alerts = [firing, pendingWarn, otherCluster], evaluatedAt = "2026-12-07T00:00:00.000Z"): AlertsResponse =>
  alertsResponseSchema.parse({ alerts, counts: countsFixture({ firing: 2, critical: 2, pending: 1 }), evaluatedAt });

const event = (changed: unknown[], evaluatedAt = "2026-12-07T00:00:10.000Z", counts = countsFixture({ firing: 1, critical: 1, pending: 1 })) => alertEventSchema.parse({ counts, changed, evaluatedAt });

describe("alerts query keys", () => {
  it("equal filters share one cache entry whatever the defaults or empty values say", () => {
    expect(alertKeys.list({})).toEqual(alertKeys.list({ state: "active", cluster: "", limit: 200 }));
    expect(alertKeys.list({ node: "a@b" })).not.toEqual(alertKeys.list({}));
    expect(filterOfAlertsKey(alertKeys.list({ cluster: "prod", state: "history" }))).toEqual({ state: "history", cluster: "prod" });
    expect(normalizeAlertsFilter({ severity: "info", limit: 50 })).toEqual({ state: "active", severity: "info", limit: 50 });
    expect(alertsQueryOptions({ cluster: "prod" }).queryKey).toEqual(["alerts", "list", { state: "active", cluster: "prod" }]);
  });

  it("a filter matches an alert as the server's query would", () => {
    expect(alertMatches(firing, { state: "active" })).toBe(true);
    expect(alertMatches(pendingWarn, { state: "firing" })).toBe(false);
    expect(alertMatches(pendingWarn, { state: "pending", node: "10.5.0.4@prod" })).toBe(true);
    expect(alertMatches(firing, { state: "active", cluster: "stage" })).toBe(false);
    expect(alertMatches(firing, { state: "active", severity: "warning" })).toBe(false);
    expect(alertMatches(firing, { state: "active", rule: "node-unreachable" })).toBe(true);
    expect(alertMatches({ ...firing, status: "resolved", endsAt: "2026-12-07T00:00:10.000Z" }, { state: "active" })).toBe(false);
    expect(alertMatches({ ...firing, status: "resolved", endsAt: "2026-12-07T00:00:10.000Z" }, { state: "history" })).toBe(true);
  });
});

describe("applyAlertEvent (SSE `alerts` into a cached list)", () => {
  it("a resolved alert leaves the active list and enters the history, newest first; counts follow the event", () => {
    const resolved = { ...firing, status: "resolved", endsAt: "2026-12-07T00:00:10.000Z" };
    const e = event([resolved]);
    const active = applyAlertEvent(list(), e, { state: "active" })!;
    expect(active.alerts.map((a) => a.id)).toEqual(["al-3", "al-2"]);
    expect(active.counts).toEqual(e.counts);
    expect(active.evaluatedAt).toBe(e.evaluatedAt);
    const olderResolved = alertFixture({ id: "al-0", status: "resolved", pendingSince: "2026-12-06T21:00:00.000Z", startsAt: "2026-12-06T21:00:00.000Z", endsAt: "2026-12-06T22:00:00.000Z" });
    const history = applyAlertEvent(list([olderResolved]), e, { state: "history" })!;
    expect(history.alerts.map((a) => a.id)).toEqual(["al-1", "al-0"]);
  });

  it("a changed alert replaces its row, in the server's order: most severe first, then the oldest", () => {
    const fired = { ...pendingWarn, status: "firing", startsAt: "2026-12-07T00:00:05.000Z" };
    const info = alertFixture({ id: "al-4", severity: "info", startsAt: "2026-12-07T00:00:06.000Z" });
    const next = applyAlertEvent(list([pendingWarn, firing]), event([fired, info]), { state: "active" })!;
    expect(next.alerts.map((a) => [a.id, a.status])).toEqual([
      ["al-1", "firing"],
      ["al-2", "firing"],
      ["al-4", "firing"],
    ]);
    const older = alertFixture({ id: "al-5", pendingSince: "2026-12-06T10:00:00.000Z", startsAt: "2026-12-06T10:05:00.000Z" });
    expect(applyAlertEvent(next, event([older]), { state: "active" })!.alerts.map((a) => a.id)).toEqual(["al-5", "al-1", "al-2", "al-4"]);
  });

  it("keeps to the list's own filter (a node's list takes only its node's alerts) and its limit", () => {
    const elsewhere = alertFixture({ id: "al-9", node: "10.5.0.9@prod", hostname: "worker-9" });
    const nodeList = applyAlertEvent(list([firing]), event([elsewhere]), { state: "active", node: "10.5.0.3@prod" })!;
    expect(nodeList.alerts.map((a) => a.id)).toEqual(["al-1"]);
    const limited = applyAlertEvent(list([firing]), event([elsewhere]), { state: "active", limit: 1 })!;
    expect(limited.alerts).toHaveLength(1);
  });

  it("ignores an event older than the cached list, and leaves nothing cached uncached", () => {
    const cached = list(undefined, "2026-12-07T00:01:00.000Z");
    expect(applyAlertEvent(cached, event([{ ...firing, status: "resolved", endsAt: T }]), { state: "active" })).toBe(cached);
    expect(applyAlertEvent(undefined, event([]), { state: "active" })).toBeUndefined();
  });

  it("a pending alert that went away before firing leaves the active list and enters no history (the server deleted it)", () => {
    const dropped = { ...pendingWarn, status: "resolved", endsAt: "2026-12-07T00:00:10.000Z" };
    expect(alertMatches(alertEventSchema.parse({ counts: countsFixture(), changed: [dropped], evaluatedAt: T }).changed[0]!, { state: "history" })).toBe(false);
    const e = event([dropped]);
    expect(applyAlertEvent(list(), e, { state: "active" })!.alerts.map((a) => a.id)).toEqual(["al-1", "al-3"]);
    expect(applyAlertEvent(list([]), e, { state: "history" })!.alerts).toEqual([]);
    expect(applyAlertEvent(list([]), e, { state: "all" })!.alerts).toEqual([]);
  });

  it("updates every cached list at once (the bell's and a node's), each by its filter", () => {
    const client = makeQueryClient();
    client.setQueryData(alertKeys.list({}), list());
    client.setQueryData(alertKeys.list({ node: "10.5.0.3@prod" }), list([firing]));
    client.setQueryData(alertKeys.list({ state: "history" }), list([]));
    applyAlertEventToCache(client, event([{ ...firing, status: "resolved", endsAt: "2026-12-07T00:00:10.000Z" }]));
    expect(client.getQueryData<AlertsResponse>(alertKeys.list({}))!.counts.firing).toBe(1);
    expect(client.getQueryData<AlertsResponse>(alertKeys.list({ node: "10.5.0.3@prod" }))!.alerts).toEqual([]);
    expect(client.getQueryData<AlertsResponse>(alertKeys.list({ state: "history" }))!.alerts.map((a) => a.id)).toEqual(["al-1"]);
  });
});


describe("applyChannelEvent (SSE `alert-channel`)", () => {
  it("replaces the channel in place, or adds one the list did not know", () => {
    const a = channelFixture();
    const b = channelFixture({ id: "ch-2", name: "slack" });
    const failing = { ...a, state: "failing" as const, consecutiveFailures: 3, failingSince: T, lastError: "HTTP 500" };
    expect(applyChannelEvent({ channels: [a, b] }, { channel: failing })!.channels).toEqual([failing, b]);
    const c = channelFixture({ id: "ch-3" });
    expect(applyChannelEvent({ channels: [a] }, { channel: c })!.channels.map((x) => x.id)).toEqual(["ch-1", "ch-3"]);
    expect(applyChannelEvent(undefined, { channel: c })).toBeUndefined();
  });
});
