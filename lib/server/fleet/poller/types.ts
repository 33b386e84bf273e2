import "server-only";

import type { FleetEvent } from "@/lib/schemas/fleet";
import type { TalosClient } from "@/lib/server/talos";
import { realClock, type Clock } from "@/lib/utils/clock";

import type { ClusterImage } from "./image";

/** The part of the Talos client the poller uses (tests may hand in a fake). */
export type PollClient = Pick<
  TalosClient,
  "version" | "machineStatus" | "serviceList" | "memoryReadings" | "loadAvg" | "hostname" | "bootId" | "etcdStatus" | "etcdMemberList" | "events" | "clusterMembers" | "getResource"
>;

/** One cluster to poll: a talosconfig context's name, its `nodes` and a client for it. */
export interface PollerCluster {
  name: string;
  nodes: readonly string[];
  client: PollClient;
}

/** Time, injectable so tests can drive the scheduler: the one Clock (its timers never keep a process alive). */
export type PollerClock = Clock;

export interface PollerOptions {
  /** The clusters to poll, read once at start (the client factory). */
  loadClusters: () => Promise<PollerCluster[]>;
  /** Time between two polls of a healthy node. Default 5 s. */
  intervalMs?: number;
  /** Node polls running at once, fleet-wide. Default 32 (1,000 nodes every 5 s leaves 160 ms per poll). */
  concurrency?: number;
  /** Deadline of each Talos call. Default 3 s. */
  callTimeoutMs?: number;
  /** Backoff cap for unreachable nodes (doubling from `intervalMs`). Default 60 s. */
  maxBackoffMs?: number;
  /** Random extra delay, as a share of the backoff, so a fleet that went down together spreads out. Default 0.1. */
  jitter?: number;
  /** How often to look for nodes (COSI Members, etcd members) beyond the talosconfig's. Default 30 s. */
  discoveryIntervalMs?: number;
  /** Follow each node's Events stream for immediate stage changes. Default true. */
  watchEvents?: boolean;
  /**
   * With a node's Events stream open, a poll reads only what changes without an event (memory,
   * load, etcd); everything else (version, stage, services, hostname, boot ID) is read again
   * after any event, a reconnect or a failed read, and what events announce (stage, services,
   * hostname) also once this long has passed without one. Default 60 s.
   */
  fullReadMaxAgeMs?: number;
  /** Events stream reconnect backoff: first and maximum delay. Default 1 s and 30 s. */
  watchBackoffMs?: { first: number; max: number };
  /** How much memory/load history to keep per node. Default 30 min. */
  historyWindowMs?: number;
  /** Changes are coalesced this long before one event is published. Default 200 ms. */
  publishDelayMs?: number;
  /**
   * Nodes whose only changes are readings (memory, load, last seen) are published at most this
   * often, so 1,000 healthy nodes don't stream every poll to every browser. Default 30 s.
   */
  readingsRefreshMs?: number;
  /** Where change events go (the SSE bus). */
  publish?: (event: FleetEvent) => void;
  /** Called after every Talos call (metrics). `outcome` is "ok" or the error code. */
  onCall?: (method: string, seconds: number, outcome: string) => void;
  /** Called after every node poll (metrics). */
  onPoll?: (cluster: string, seconds: number, reachable: boolean) => void;
  clock?: PollerClock;
  random?: () => number;
  /**
   * Clusters start mirrored, not polled: with several replicas, a cluster is polled only once
   * this replica holds its lease (`FleetPoller.setOwned`). Default false: one process polls all.
   */
  startUnowned?: boolean;
  /**
   * Decides which clusters this process polls (several replicas: leases) and mirrors the rest.
   * Started once the clusters are loaded (start waits for it: the first answer already knows
   * what it polls), and told when clusters are reloaded; stopped with the poller.
   */
  ownership?: PollerOwnership;
}

/** What ownership needs of the poller (FleetPoller implements it). */
export interface OwnablePoller {
  clusterNames(): string[];
  ownedClusters(): string[];
  setOwned(name: string, owned: boolean): boolean;
  clusterChanges(name: string): number | null;
  exportCluster(name: string): ClusterImage | null;
  importCluster(image: ClusterImage): boolean;
}

export interface PollerOwnership {
  start(poller: OwnablePoller): Promise<void>;
  clustersChanged(): Promise<void>;
  stop(): Promise<void>;
}

/** The options with every default filled in. */
export type ResolvedPollerOptions = Required<Omit<PollerOptions, "publish" | "onCall" | "onPoll" | "loadClusters" | "ownership">> &
  Pick<PollerOptions, "publish" | "onCall" | "onPoll" | "loadClusters" | "ownership">;

export function resolvePollerOptions(options: PollerOptions): ResolvedPollerOptions {
  return {
    intervalMs: 5_000,
    concurrency: 32,
    callTimeoutMs: 3_000,
    maxBackoffMs: 60_000,
    jitter: 0.1,
    discoveryIntervalMs: 30_000,
    watchEvents: true,
    fullReadMaxAgeMs: 60_000,
    watchBackoffMs: { first: 1_000, max: 30_000 },
    historyWindowMs: 30 * 60_000,
    publishDelayMs: 200,
    readingsRefreshMs: 30_000,
    clock: realClock,
    random: Math.random,
    startUnowned: false,
    ...options,
  };
}

/** Per-poller counters, for tests, the bench and metrics. */
export interface PollerStats {
  nodes: number;
  /** Talos calls awaiting an answer right now. */
  inFlightCalls: number;
  /** Node polls running right now. */
  inFlightPolls: number;
  queued: number;
  /** Completed node polls since start. */
  polls: number;
  /** Of those, the polls that read more than memory, load and etcd (full reads and refreshes). */
  fullReads: number;
  /** Events streams currently open. */
  watchers: number;
  /** Full sweeps completed (every known node polled at least once since the previous). */
  sweeps: number;
}
