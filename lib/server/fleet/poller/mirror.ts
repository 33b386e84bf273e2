import "server-only";

import type { NodeObservation } from "../health";
import { HistoryRing } from "../history";
import type { ClusterEntry, NodeEntry } from "./core";
import type { ClusterImage, NodeImage } from "./image";

/** History rides along at one sample a minute: the detail page's 30-minute chart, for a fraction of the bytes. */
const HISTORY_STEP_MS = 60_000;

export function exportCluster(c: ClusterEntry, now: number, historyWindowMs: number): ClusterImage {
  return {
    cluster: c.name,
    at: now,
    membership: c.membership,
    nodes: [...c.nodes.values()].map((e) => ({
      obs: e.obs,
      stageEvents: e.stageEvents,
      etcdIsLeader: e.etcdIsLeader,
      memberNodeId: e.memberNodeId,
      history: thin(e.history, now - historyWindowMs),
    })),
  };
}

function thin(ring: HistoryRing, since: number): NodeImage["history"] {
  const out: NodeImage["history"] = [];
  let next = -Infinity;
  for (const p of ring.points(since)) {
    const t = Date.parse(p.t);
    if (t < next) continue;
    out.push([t, p.memAvailableKb, p.load1]);
    next = t + HISTORY_STEP_MS;
  }
  return out;
}

export interface ImportHooks {
  addNode(address: string, source: NodeObservation["source"]): NodeEntry;
  removeNode(e: NodeEntry): void;
  refresh(e: NodeEntry): void;
}

/**
 * Puts an image into a mirrored cluster: nodes are added and updated from it, and nodes the owner
 * no longer has (a discovered machine that left) are removed. Returns the removed node IDs.
 */
export function importCluster(c: ClusterEntry, image: ClusterImage, hooks: ImportHooks): string[] {
  const seen = new Set<string>();
  for (const n of image.nodes) {
    const e = hooks.addNode(n.obs.address, n.obs.source);
    seen.add(e.id);
    e.obs = { ...n.obs, cluster: c.name };
    e.stageEvents = n.stageEvents;
    e.etcdIsLeader = n.etcdIsLeader;
    e.memberNodeId = n.memberNodeId;
    const ring = new HistoryRing(e.history.capacity);
    for (const [t, mem, load] of n.history) ring.push(t, mem, load);
    e.history = ring;
    hooks.refresh(e);
  }
  const removed: string[] = [];
  for (const e of [...c.nodes.values()]) {
    if (seen.has(e.id)) continue;
    hooks.removeNode(e);
    removed.push(e.id);
  }
  c.membership = image.membership;
  return removed;
}
