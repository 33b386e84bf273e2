import { queryOptions, type QueryClient } from "@tanstack/react-query";

import { apiFetch } from "@/lib/client/api";
import type { FleetEvent, NodeDetail, NodeSummary, NodesResponse } from "@/lib/schemas/fleet";

/**
 * Query keys for fleet health. `nodes(cluster)` holds GET /api/nodes[?cluster=]; the SSE hook
 * (use-event-stream.ts) writes into every cached `nodes` and `node` query with setQueryData.
 */
export const fleetKeys = {
  all: ["fleet"] as const,
  /** Prefix of every nodes list, whatever its cluster filter. */
  nodeLists: () => [...fleetKeys.all, "nodes"] as const,
  nodes: (cluster?: string) => [...fleetKeys.all, "nodes", cluster ?? "*"] as const,
  node: (id: string) => [...fleetKeys.all, "node", id] as const,
};

/** The cluster filter of a `fleetKeys.nodes` key (undefined: all clusters). */
export function clusterOfNodesKey(key: readonly unknown[]): string | undefined {
  const c = key[2];
  return typeof c === "string" && c !== "*" ? c : undefined;
}

// Whether the SSE stream is live: queries poll only when it is not. Plain module state (not React)
// so this file stays importable from server components for their prefetches.
let streamLive = false;

/** Set by the SSE hook; queries fall back to polling while it is false. */
export function setEventStreamLive(live: boolean): void {
  streamLive = live;
}

export function isEventStreamLive(): boolean {
  return streamLive;
}

/** How often lists are refetched when the SSE stream is down. */
export const FALLBACK_POLL_MS = 5_000;
/** The node detail's history and services are not in the stream: refetched this often while it is open. */
export const DETAIL_REFRESH_MS = 15_000;

/** After a service action, the node's detail is re-read this often until the service shows the outcome… */
export const SERVICE_FOLLOW_MS = 1_000;
/** …for at least this long (a restart's answer may find the old Running state still current)… */
export const SERVICE_FOLLOW_MIN_MS = 2_000;
/** …and at most this long. */
export const SERVICE_FOLLOW_MAX_MS = 30_000;

/**
 * Re-reads an open node page's detail after a service action until the service is in the state
 * the action leads to (Finished after a stop, Running after a start or restart). Services are not
 * in the SSE stream, and the detail's own refresh restarts with every summary the stream writes
 * into it, so without this the outcome could show tens of seconds late. Ends early when the page
 * is closed (its query inactive). Resolves whether the outcome was seen.
 */
export async function followServiceAction(
  client: QueryClient,
  node: string,
  service: string,
  action: "start" | "stop" | "restart",
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<boolean> {
  const expected = action === "stop" ? "Finished" : "Running";
  const key = fleetKeys.node(node);
  for (let waited = SERVICE_FOLLOW_MS; waited <= SERVICE_FOLLOW_MAX_MS; waited += SERVICE_FOLLOW_MS) {
    await sleep(SERVICE_FOLLOW_MS);
    if (!client.getQueryCache().find({ queryKey: key, exact: true })?.isActive()) return false;
    await client.refetchQueries({ queryKey: key, exact: true, type: "active" });
    const state = client.getQueryData<NodeDetail>(key)?.services.find((s) => s.id === service)?.state;
    if (state === expected && waited >= SERVICE_FOLLOW_MIN_MS) return true;
  }
  return false;
}

/** GET /api/nodes[?cluster=] – every node's health and the clusters' roll-ups. */
export function nodesQueryOptions(cluster?: string) {
  const qs = cluster ? `?${new URLSearchParams({ cluster })}` : "";
  return queryOptions({
    queryKey: fleetKeys.nodes(cluster),
    queryFn: ({ signal }) => apiFetch<NodesResponse>(`/api/nodes${qs}`, { signal }),
    refetchInterval: () => (isEventStreamLive() ? false : FALLBACK_POLL_MS),
  });
}

/** GET /api/nodes/:node – one node's detail (services, etcd, history, stage timeline). */
export function nodeDetailQueryOptions(id: string) {
  return queryOptions({
    queryKey: fleetKeys.node(id),
    queryFn: ({ signal }) => apiFetch<NodeDetail>(`/api/nodes/${encodeURIComponent(id)}`, { signal }),
    refetchInterval: () => (isEventStreamLive() ? DETAIL_REFRESH_MS : FALLBACK_POLL_MS),
  });
}

// ---------------------------------------------------------------------------------------------
// Applying SSE events to cached data (pure; the hook calls these inside setQueryData)
// ---------------------------------------------------------------------------------------------

/** The fleet snapshot as one cluster's nodes list would hold it. */
export function snapshotForCluster(event: Extract<FleetEvent, { type: "snapshot" }>, cluster?: string): NodesResponse {
  if (cluster === undefined) return { nodes: event.nodes, clusters: event.clusters, updatedAt: event.updatedAt };
  return {
    nodes: event.nodes.filter((n) => n.cluster === cluster),
    clusters: event.clusters.filter((c) => c.name === cluster),
    updatedAt: event.updatedAt,
  };
}

/**
 * A `nodes` delta applied to a cached list: changed nodes replaced by id (new ones appended),
 * removed ones dropped, cluster roll-ups replaced. Returns the same object when nothing in the
 * list's scope changed, so React Query keeps its subscribers quiet.
 */
export function applyNodesDelta(data: NodesResponse | undefined, event: Extract<FleetEvent, { type: "nodes" }>, cluster?: string): NodesResponse | undefined {
  if (!data) return data;
  const changed = cluster === undefined ? event.nodes : event.nodes.filter((n) => n.cluster === cluster);
  const removed = new Set(event.removed);
  const clusters = cluster === undefined ? event.clusters : event.clusters.filter((c) => c.name === cluster);
  if (changed.length === 0 && removed.size === 0 && clusters.length === 0) return data;
  const byId = new Map<string, NodeSummary>(changed.map((n) => [n.id, n]));
  const nodes: NodeSummary[] = [];
  for (const n of data.nodes) {
    if (removed.has(n.id)) continue;
    const next = byId.get(n.id);
    if (next) byId.delete(n.id);
    nodes.push(next ?? n);
  }
  nodes.push(...byId.values());
  return { nodes, clusters: clusters.length > 0 ? clusters : data.clusters, updatedAt: event.updatedAt };
}

/** A node's new summary applied to its cached detail. */
export function applySummaryToDetail(detail: NodeDetail | undefined, summary: NodeSummary): NodeDetail | undefined {
  return detail ? { ...detail, summary } : detail;
}
