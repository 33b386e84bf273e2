import "server-only";

import type { ClusterHealth, NodeStage, NodeSummary, StageEvent } from "@/lib/schemas/fleet";

import type { EtcdMembership, NodeObservation } from "../health";
import type { HistoryRing } from "../history";
import type { PollClient, ResolvedPollerOptions } from "./types";

/**
 * What every part of the poller shares: the options, the registry of clusters and nodes, and
 * whether it runs. The parts (scheduler, node poll, discovery, watchers, snapshot) each keep
 * their own state and reach each other only through hooks the poller wires, so none imports another.
 */
export interface PollerCore {
  readonly o: ResolvedPollerOptions;
  clusters: ClusterEntry[];
  readonly byId: Map<string, NodeEntry>;
  running: boolean;
  /** Aborted when the poller stops: every Talos call listens on it. */
  readonly signal: AbortSignal;
  now(): number;
}

export interface WatchState {
  connected: boolean;
  failures: number;
}

export interface NodeEntry {
  id: string;
  cluster: ClusterEntry;
  obs: NodeObservation;
  summary: NodeSummary;
  /** The summary minus its readings: what makes a change worth publishing at once. */
  signature: string;
  publishedAt: number;
  nextDue: number;
  failures: number;
  queued: boolean;
  polling: boolean;
  /** A poll asked for while this node was being polled: due then, after the current one. */
  pollAfter: number | null;
  /** Start times of the last polls (oldest first), for tests and diagnostics. */
  attempts: number[];
  history: HistoryRing;
  stageEvents: StageEvent[];
  etcdIsLeader: boolean;
  /** BootIDs are Talos 1.14+; older nodes answer `unsupported` once and are not asked again. */
  bootIdUnsupported: boolean;
  watch: WatchState | null;
  /**
   * The next poll reads everything, not only the readings: set when the Events stream reports
   * anything (or connects, or drops) and when a read that only a full poll makes failed.
   */
  fullReadDue: boolean;
  /** When the last full read started (epoch ms); -Infinity before the first. */
  fullReadAt: number;
  /** The transport's own words for the current outage, logged once when they change. */
  lastFailure: string | null;
  /** Talos's node identity, from the Members entry this node matched. */
  memberNodeId: string | null;
}

export interface ClusterEntry {
  name: string;
  client: PollClient;
  /** Aborted when the poller stops or the cluster is removed by `FleetPoller.reloadClusters`. */
  signal: AbortSignal;
  remove: AbortController;
  /**
   * Whether this process polls the cluster. With several replicas each cluster is polled by one
   * (its lease owner); the others mirror its snapshot from the store (`FleetPoller.importCluster`).
   */
  owned: boolean;
  /** Aborted when this process stops polling the cluster (its streams and polls end); replaced when it polls again. */
  pollSignal: AbortSignal;
  pollStop: AbortController;
  /** Bumped on every change of the cluster's snapshot, so an owner knows when to write it out. */
  changes: number;
  nodes: Map<string, NodeEntry>;
  membership: EtcdMembership | null;
  nextDiscovery: number;
  discovering: boolean;
  health: ClusterHealth;
}

const STAGE_EVENTS_KEPT = 50;

export function signatureOf(s: NodeSummary): string {
  // Readings change on every poll; they ride along with the next real change or refresh.
  // (A copy without them, not a replacer function: this runs after every poll of every node.)
  return JSON.stringify({ ...s, lastSeen: undefined, memory: undefined, load1: undefined });
}

/** Records a MachineStatus (from a poll or the Events stream); a new stage or readiness joins the node's stage events. */
export function applyMachineStatus(e: NodeEntry, stage: NodeStage, ready: boolean, unmetConditions: { name: string; reason: string }[], now: number): void {
  const prev = e.obs.machineStatus;
  e.obs.machineStatus = { stage, ready, unmetConditions };
  if (!prev || prev.stage !== stage || prev.ready !== ready) {
    e.stageEvents.push({ time: new Date(now).toISOString(), stage, ready });
    if (e.stageEvents.length > STAGE_EVENTS_KEPT) e.stageEvents.splice(0, e.stageEvents.length - STAGE_EVENTS_KEPT);
  }
}
