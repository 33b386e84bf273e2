import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect, useState, useSyncExternalStore } from "react";

import { applyNodesDelta, applySummaryToDetail, clusterOfNodesKey, fleetKeys, setEventStreamLive, snapshotForCluster } from "@/lib/client/fleet";
import { backupKeys, bulkKeys, kubernetesUpgradeKeys, upgradeKeys } from "@/lib/client/query-keys";
import type { FleetEvent, NodesResponse } from "@/lib/schemas/fleet";
import type { UpgradeEvent } from "@/lib/schemas/upgrades";
import type { KubernetesUpgradeEvent } from "@/lib/schemas/kubernetes-upgrades";
import type { BackupEvent } from "@/lib/schemas/backups";
import type { BulkRun } from "@/lib/schemas/bulk";
import { alertKeys, applyAlertEventToCache, applyChannelEvent } from "@/lib/client/alerts";
import type { AlertChannelEvent, AlertEvent } from "@/lib/schemas/alerts";

/** `connecting` until the first snapshot, `live` while events flow, `down` while polling instead. */
export type EventStreamStatus = "connecting" | "live" | "down";

/**
 * One EventSource per browser tab, shared by every component that calls the hook (ref-counted),
 * so two widgets on a page never open two streams.
 */
interface Connection {
  source: EventSource | null;
  client: QueryClient;
  refs: number;
  status: EventStreamStatus;
  retryTimer: ReturnType<typeof setTimeout> | null;
  closeTimer: ReturnType<typeof setTimeout> | null;
  failures: number;
}

let conn: Connection | null = null;
const statusListeners = new Set<() => void>();

/**
 * What a change of the stream's status makes the cache read again. Exported for tests.
 * - Leaving `live`: queries re-read their refetchInterval only when their data changes, so the
 *   fleet queries are nudged to start polling now.
 * - Becoming `live` (the first connect too): the stream sends no alerts snapshot and never
 *   replays, so alert events between the page's render (or the outage) and now are lost unless
 *   the alert lists and the channels' states are read again.
 */
export function refetchOnStatusChange(client: QueryClient, from: EventStreamStatus, to: EventStreamStatus): Promise<unknown> {
  if (from === to) return Promise.resolve();
  if (from === "live") return client.invalidateQueries({ queryKey: fleetKeys.all });
  if (to === "live") return Promise.all([client.invalidateQueries({ queryKey: alertKeys.lists() }), client.invalidateQueries({ queryKey: alertKeys.channels() })]);
  return Promise.resolve();
}

function setStatus(status: EventStreamStatus): void {
  if (!conn || conn.status === status) return;
  const from = conn.status;
  conn.status = status;
  setEventStreamLive(status === "live");
  void refetchOnStatusChange(conn.client, from, status);
  for (const l of statusListeners) l();
}

function applyEvent(client: QueryClient, event: FleetEvent): void {
  if (event.type === "snapshot") {
    // Every cached list gets the snapshot; the all-clusters list is seeded for instant navigation.
    const keys = client.getQueriesData<NodesResponse>({ queryKey: fleetKeys.nodeLists() }).map(([key]) => key);
    if (!keys.some((k) => clusterOfNodesKey(k) === undefined)) keys.push(fleetKeys.nodes());
    for (const key of keys) client.setQueryData<NodesResponse>(key, snapshotForCluster(event, clusterOfNodesKey(key)));
    for (const n of event.nodes) client.setQueryData(fleetKeys.node(n.id), (d: Parameters<typeof applySummaryToDetail>[0]) => applySummaryToDetail(d, n));
    return;
  }
  for (const [key] of client.getQueriesData<NodesResponse>({ queryKey: fleetKeys.nodeLists() })) {
    client.setQueryData<NodesResponse>(key, (old) => applyNodesDelta(old, event, clusterOfNodesKey(key)));
  }
  for (const n of event.nodes) client.setQueryData(fleetKeys.node(n.id), (d: Parameters<typeof applySummaryToDetail>[0]) => applySummaryToDetail(d, n));
}

/**
 * The event's JSON when it is an object carrying `key`, else null. The server builds every event
 * from the shared zod schemas (lib/schemas) and its tests parse them; the browser does not parse
 * them again (see apiFetch), it only refuses what is not even the right kind of object.
 */
function eventData<T extends object>(raw: MessageEvent<string>, key: keyof T & string): T | null {
  let data: unknown;
  try {
    data = JSON.parse(raw.data);
  } catch {
    return null;
  }
  if (typeof data === "object" && data !== null && key in data) return data as T;
  console.warn(`[minos] ignoring a "${raw.type}" event without "${key}"`);
  return null;
}

function handle(raw: MessageEvent<string>): void {
  if (!conn) return;
  const event = eventData<FleetEvent>(raw, "type");
  if (!event) return;
  conn.failures = 0;
  applyEvent(conn.client, event);
  setStatus("live");
}

function handleUpgrade(raw: MessageEvent<string>): void {
  const event = conn && eventData<UpgradeEvent>(raw, "plan");
  if (!conn || !event) return;
  conn.client.setQueryData(upgradeKeys.plan(event.plan.id), event.plan);
  // The history rows carry the progress too; a refetch of the short list is cheaper than merging.
  void conn.client.invalidateQueries({ queryKey: [...upgradeKeys.all, "list"] });
}

function handleKubernetesUpgrade(raw: MessageEvent<string>): void {
  const event = conn && eventData<KubernetesUpgradeEvent>(raw, "plan");
  if (!conn || !event) return;
  conn.client.setQueryData(kubernetesUpgradeKeys.plan(event.plan.id), event.plan);
  void conn.client.invalidateQueries({ queryKey: [...kubernetesUpgradeKeys.all, "list"] });
}

function handleBackup(raw: MessageEvent<string>): void {
  // Lists and schedules (last backup, next run) are short: refetch them rather than merge.
  if (conn && eventData<BackupEvent>(raw, "type")) void conn.client.invalidateQueries({ queryKey: backupKeys.all });
}

function handleBulk(raw: MessageEvent<string>): void {
  const event = conn && eventData<{ run: BulkRun }>(raw, "run");
  if (!conn || !event) return;
  conn.client.setQueryData(bulkKeys.run(event.run.id), event.run);
  void conn.client.invalidateQueries({ queryKey: bulkKeys.list() });
}

function handleAlerts(raw: MessageEvent<string>): void {
  const event = conn && eventData<AlertEvent>(raw, "changed");
  if (!conn || !event) return;
  // Every cached list (the bell's, the overview's, a node's, the page's filters) merges the change.
  applyAlertEventToCache(conn.client, event);
}

function handleAlertChannel(raw: MessageEvent<string>): void {
  const event = conn && eventData<AlertChannelEvent>(raw, "channel");
  if (!conn || !event) return;
  conn.client.setQueryData(alertKeys.channels(), (old: Parameters<typeof applyChannelEvent>[0]) => applyChannelEvent(old, event));
  // The failure that flipped the state is a new row in the delivery log.
  void conn.client.invalidateQueries({ queryKey: alertKeys.deliveriesAll() });
}

function open(url: string): void {
  if (!conn || conn.source) return;
  const source = new EventSource(url);
  conn.source = source;
  source.addEventListener("snapshot", handle);
  source.addEventListener("nodes", handle);
  source.addEventListener("upgrade", handleUpgrade);
  source.addEventListener("kubernetes-upgrade", handleKubernetesUpgrade);
  source.addEventListener("etcd-backup", handleBackup);
  source.addEventListener("bulk", handleBulk);
  source.addEventListener("alerts", handleAlerts);
  source.addEventListener("alert-channel", handleAlertChannel);
  source.onerror = () => {
    if (!conn) return;
    setStatus("down");
    // The browser retries by itself while CONNECTING; a CLOSED source (an HTTP error) needs a new one.
    if (source.readyState === EventSource.CLOSED) {
      source.close();
      conn.source = null;
      conn.failures++;
      const delay = Math.min(30_000, 1_000 * 2 ** Math.min(conn.failures, 5));
      conn.retryTimer = setTimeout(() => {
        if (conn) conn.retryTimer = null;
        open(url);
      }, delay);
    }
  };
}

function close(): void {
  if (!conn) return;
  conn.source?.close();
  if (conn.retryTimer) clearTimeout(conn.retryTimer);
  conn = null;
  setEventStreamLive(false);
  for (const l of statusListeners) l();
}

function subscribeStatus(listener: () => void): () => void {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}

const getStatus = (): EventStreamStatus => conn?.status ?? "connecting";
const getServerStatus = (): EventStreamStatus => "connecting";

/**
 * Keeps the fleet queries live: subscribes to GET /api/events and pushes each snapshot and delta
 * into the TanStack cache with setQueryData. While the stream is down the fleet queries poll
 * (their `refetchInterval` checks the stream), and the browser reconnects by itself. Call it in
 * any client component that shows fleet data; every caller shares one connection.
 */
export function useEventStream(url = "/api/events", { enabled = true }: { enabled?: boolean } = {}): EventStreamStatus {
  const client = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    if (!conn) conn = { source: null, client, refs: 0, status: "connecting", retryTimer: null, closeTimer: null, failures: 0 };
    if (conn.closeTimer) {
      clearTimeout(conn.closeTimer);
      conn.closeTimer = null;
    }
    conn.refs++;
    open(url);
    return () => {
      if (!conn) return;
      conn.refs--;
      // A short grace period: navigating between two pages that both stream must not reconnect.
      if (conn.refs === 0) conn.closeTimer = setTimeout(() => conn?.refs === 0 && close(), 2_000);
    };
  }, [client, url, enabled]);
  return useSyncExternalStore(subscribeStatus, getStatus, getServerStatus);
}

/**
 * False until the page has loaded and the browser is idle, i.e. until React has hydrated what the
 * server streamed. A component outside the page (the header's bell) opens the event stream only
 * then: an event applied to the cache before a page's boundary hydrates would give that boundary
 * other text than the server's HTML (React #418).
 */
export function usePageHydrated(): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let cancelled = false;
    let idle: number | undefined;
    const done = () => {
      if (!cancelled) setReady(true);
    };
    const afterLoad = () => {
      idle = typeof window.requestIdleCallback === "function" ? window.requestIdleCallback(done, { timeout: 3_000 }) : window.setTimeout(done, 200);
    };
    if (document.readyState === "complete") afterLoad();
    else window.addEventListener("load", afterLoad, { once: true });
    return () => {
      cancelled = true;
      window.removeEventListener("load", afterLoad);
      if (idle !== undefined && typeof window.cancelIdleCallback === "function") window.cancelIdleCallback(idle);
    };
  }, []);
  return ready;
}
