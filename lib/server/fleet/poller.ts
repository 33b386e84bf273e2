import "server-only";

import { nodeId, parseNodeId } from "@/lib/fleet/node-id";
import { setMaxListeners } from "node:events";

import type { ClusterUpgradeProgress } from "@/lib/schemas/upgrades";
import type { ClusterHealth, FleetEvent, NodeDetail, NodeError, NodeStage, NodeSummary, NodesResponse, StageEvent } from "@/lib/schemas/fleet";
import { AppError, isAppError } from "@/lib/server/http/errors";
import { resourceKinds, type TalosClient } from "@/lib/server/talos";
import { publicFailure } from "@/lib/server/talos/errors";

import {
  emptyObservation,
  summarizeCluster,
  summarizeNode,
  type EtcdMembership,
  type NodeObservation,
  type ServiceObservation,
} from "./health";
import { HistoryRing } from "./history";
import { matchMembers, type DiscoveredMember, type KnownNode } from "./member-match";

/** The part of the Talos client the poller uses (tests may hand in a fake). */
export type PollClient = Pick<
  TalosClient,
  "version" | "machineStatus" | "serviceList" | "memory" | "loadAvg" | "hostname" | "bootId" | "etcdStatus" | "etcdMemberList" | "events" | "clusterMembers" | "getResource"
>;

/** One cluster to poll: a talosconfig context's name, its `nodes` and a client for it. */
export interface PollerCluster {
  name: string;
  nodes: readonly string[];
  client: PollClient;
}

/** Time, injectable so tests can drive the scheduler. */
export interface PollerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: PollerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Background work must never keep a process (a test, a CLI) alive.
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

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
}

interface WatchState {
  connected: boolean;
  failures: number;
}

interface NodeEntry {
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
  /** Start times of the last polls (oldest first), for tests and diagnostics. */
  attempts: number[];
  history: HistoryRing;
  stageEvents: StageEvent[];
  etcdIsLeader: boolean;
  /** BootIDs are Talos 1.14+; older nodes answer `unsupported` once and are not asked again. */
  bootIdUnsupported: boolean;
  watch: WatchState | null;
  /** The transport's own words for the current outage, logged once when they change. */
  lastFailure: string | null;
  /** Talos's node identity, from the Members entry this node matched. */
  memberNodeId: string | null;
}

interface ClusterEntry {
  name: string;
  client: PollClient;
  /** Aborted when the poller stops or the cluster is removed by {@link FleetPoller.reloadClusters}. */
  signal: AbortSignal;
  remove: AbortController;
  nodes: Map<string, NodeEntry>;
  membership: EtcdMembership | null;
  nextDiscovery: number;
  discovering: boolean;
  health: ClusterHealth;
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
  /** Events streams currently open. */
  watchers: number;
  /** Full sweeps completed (every known node polled at least once since the previous). */
  sweeps: number;
}

const STAGE_EVENTS_KEPT = 50;
const ATTEMPTS_KEPT = 20;

/** A Talos call failure as the node's last error. */
/**
 * A failed call as the snapshot shows it to every viewer (transport failures all read the same:
 * see publicFailure) and as the server log gets it (`detail`).
 */
function toNodeError(e: unknown): { error: NodeError; detail: string } {
  const raw = isAppError(e) ? e : { code: "internal", message: e instanceof Error ? e.message : String(e) };
  return { error: publicFailure(raw), detail: raw.message };
}

/** The node answered (even "no"): anything but a transport failure. */
function answered(e: NodeError): boolean {
  return e.code !== "node_unreachable" && e.code !== "node_timeout";
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: NodeError; detail: string };

function signatureOf(s: NodeSummary): string {
  // Readings change on every poll; they ride along with the next real change or refresh.
  return JSON.stringify(s, (key, value: unknown) => (key === "lastSeen" || key === "memory" || key === "load1" ? undefined : value));
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, "") || null;
  } catch {
    return null;
  }
}

/**
 * The fleet poller: one per server process. Polls every node on an interval with bounded
 * concurrency and a deadline per call, backs off from unreachable nodes, discovers nodes beyond
 * the talosconfig, follows each node's Events stream for stage changes, and keeps the snapshot
 * that the API serves (no page request ever reaches a node).
 */
export class FleetPoller {
  private readonly o: Required<Omit<PollerOptions, "publish" | "onCall" | "onPoll" | "loadClusters">> &
    Pick<PollerOptions, "publish" | "onCall" | "onPoll" | "loadClusters">;
  private clusters: ClusterEntry[] = [];
  /** The live upgrade per cluster, fed by the upgrade runner's events. */
  private readonly upgrades = new Map<string, ClusterUpgradeProgress>();
  private readonly byId = new Map<string, NodeEntry>();
  private readonly queue: NodeEntry[] = [];
  private readonly dirty = new Set<NodeEntry>();
  private publishTimer: unknown = null;
  private tickTimer: unknown = null;
  private readonly abort = new AbortController();
  private running = false;
  private startPromise: Promise<void> | null = null;
  private inFlightCalls = 0;
  private inFlightPolls = 0;
  private polls = 0;
  private sweeps = 0;
  private sweepPending = new Set<NodeEntry>();
  private sweepWaiters: (() => void)[] = [];
  private watchers = 0;
  private lastReadingsFlush = 0;
  private updatedAt: number | null = null;
  /** Cluster roll-ups are recomputed lazily, at most once per change, not once per poll. */
  private healthStale = false;
  /** Bumped on every change worth publishing; keys the serialized snapshot cache. */
  private changeVersion = 0;
  private readonly jsonCache = new Map<string, { version: number; at: number; body: Uint8Array<ArrayBuffer> }>();
  private readonly activePolls = new Set<Promise<void>>();
  private readonly activeWatches = new Set<Promise<void>>();

  constructor(options: PollerOptions) {
    this.o = {
      intervalMs: 5_000,
      concurrency: 32,
      callTimeoutMs: 3_000,
      maxBackoffMs: 60_000,
      jitter: 0.1,
      discoveryIntervalMs: 30_000,
      watchEvents: true,
      watchBackoffMs: { first: 1_000, max: 30_000 },
      historyWindowMs: 30 * 60_000,
      publishDelayMs: 200,
      readingsRefreshMs: 30_000,
      clock: realClock,
      random: Math.random,
      ...options,
    };
    // Every call in flight listens on this one signal; thousands at once are expected.
    setMaxListeners(0, this.abort.signal);
  }

  private now(): number {
    return this.o.clock.now();
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------------------------

  /** Loads the clusters and starts polling. Idempotent. */
  start(): Promise<void> {
    this.startPromise ??= (async () => {
      const clusters = await this.o.loadClusters();
      if (this.abort.signal.aborted) return;
      for (const c of clusters) this.addCluster(c);
      this.running = true;
      this.lastReadingsFlush = this.now();
      this.tick();
    })();
    return this.startPromise;
  }

  private addCluster(c: PollerCluster): ClusterEntry {
    const remove = new AbortController();
    const entry: ClusterEntry = {
      name: c.name,
      client: c.client,
      signal: AbortSignal.any([this.abort.signal, remove.signal]),
      remove,
      nodes: new Map(),
      membership: null,
      nextDiscovery: this.now(),
      discovering: false,
      health: summarizeCluster(c.name, [], [], null),
    };
    setMaxListeners(0, entry.signal);
    this.clusters.push(entry);
    for (const address of c.nodes) this.addNode(entry, address, "talosconfig");
    entry.health = this.clusterHealth(entry);
    return entry;
  }

  private reloading: Promise<unknown> = Promise.resolve();

  /**
   * Loads the clusters again (an upload added some, or a delete removed some): new clusters start
   * polling; removed ones stop watching, leave the snapshot, and their calls in flight are
   * discarded when they settle. Clusters in both keep their nodes, history and client. One
   * `nodes` event (the new nodes, the removed ids, every roll-up) tells subscribers.
   * Reloads run one at a time.
   */
  reloadClusters(): Promise<{ added: string[]; removed: string[] }> {
    const run = this.reloading.then(async () => {
      await this.start();
      const next = await this.o.loadClusters();
      if (!this.running) return { added: [], removed: [] };
      const wanted = new Set(next.map((c) => c.name));
      const removed: string[] = [];
      const removedIds: string[] = [];
      for (const c of this.clusters.filter((x) => !wanted.has(x.name))) {
        c.remove.abort(new AppError("internal", `cluster "${c.name}" was removed`));
        for (const e of c.nodes.values()) {
          this.byId.delete(e.id);
          this.dirty.delete(e);
          this.sweepPending.delete(e);
          removedIds.push(e.id);
        }
        removed.push(c.name);
      }
      this.clusters = this.clusters.filter((x) => wanted.has(x.name));
      for (let i = this.queue.length - 1; i >= 0; i--) if (!this.byId.has(this.queue[i]!.id)) this.queue.splice(i, 1);
      const added: NodeSummary[] = [];
      const addedNames: string[] = [];
      for (const c of next) {
        if (this.clusters.some((x) => x.name === c.name)) continue;
        for (const e of this.addCluster(c).nodes.values()) added.push(e.summary);
        addedNames.push(c.name);
      }
      if (removed.length === 0 && addedNames.length === 0) return { added: [], removed: [] };
      this.changeVersion++;
      this.healthStale = true;
      this.refreshHealth();
      this.o.publish?.({
        type: "nodes",
        nodes: added,
        removed: removedIds,
        clusters: this.clusters.map((c) => c.health),
        updatedAt: new Date(this.updatedAt ?? this.now()).toISOString(),
      });
      // The sweep in progress may have been waiting on the removed nodes only.
      if (removedIds.length > 0 && this.sweepPending.size === 0) {
        this.sweeps++;
        for (const n of this.byId.values()) this.sweepPending.add(n);
        for (const w of this.sweepWaiters.splice(0)) w();
      }
      this.tick();
      return { added: addedNames, removed };
    });
    this.reloading = run.catch(() => undefined);
    return run;
  }

  /** Stops polling and watching; resolves once every call in flight has settled. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort(new AppError("internal", "the fleet poller stopped"));
    if (this.tickTimer !== null) this.o.clock.clearTimeout(this.tickTimer);
    if (this.publishTimer !== null) this.o.clock.clearTimeout(this.publishTimer);
    this.tickTimer = this.publishTimer = null;
    for (const w of this.sweepWaiters.splice(0)) w();
    await Promise.allSettled([...this.activePolls, ...this.activeWatches]);
  }

  /** Resolves after the next full sweep (every node polled once from now), or after `timeoutMs`. */
  async nextSweep(timeoutMs = Infinity): Promise<boolean> {
    await this.start();
    if (this.byId.size === 0) return true;
    const target = this.sweeps + 1;
    return new Promise<boolean>((resolve) => {
      let timer: unknown = null;
      const done = (ok: boolean) => {
        if (timer !== null) this.o.clock.clearTimeout(timer);
        resolve(ok);
      };
      if (Number.isFinite(timeoutMs)) timer = this.o.clock.setTimeout(() => done(false), timeoutMs);
      const check = () => {
        if (this.sweeps >= target || !this.running) done(this.sweeps >= target);
        else this.sweepWaiters.push(check);
      };
      check();
    });
  }

  /** Resolves once every node has been polled at least once (or after `timeoutMs`). */
  async firstSweep(timeoutMs = Infinity): Promise<boolean> {
    await this.start();
    if (this.sweeps > 0 || this.byId.size === 0) return true;
    return this.nextSweep(timeoutMs);
  }

  /** Polls every node now, regardless of schedule and backoff, and waits for all of them. */
  async sweepNow(): Promise<void> {
    await this.start();
    this.sweepPending = new Set(this.byId.values());
    for (const e of this.byId.values()) e.nextDue = 0;
    const done = this.nextSweep();
    this.tick();
    await done;
  }

  stats(): PollerStats {
    return {
      nodes: this.byId.size,
      inFlightCalls: this.inFlightCalls,
      inFlightPolls: this.inFlightPolls,
      queued: this.queue.length,
      polls: this.polls,
      watchers: this.watchers,
      sweeps: this.sweeps,
    };
  }

  /** Start times of a node's recent polls, oldest first (tests watch the backoff with it). */
  attempts(id: string): number[] {
    return [...(this.byId.get(id)?.attempts ?? [])];
  }

  // -------------------------------------------------------------------------------------------
  // Snapshot reads (what the API serves)
  // -------------------------------------------------------------------------------------------

  /** Every node and cluster roll-up, or one cluster's. */
  snapshot(cluster?: string): NodesResponse {
    this.refreshHealth();
    const clusters = cluster === undefined ? this.clusters : this.clusters.filter((c) => c.name === cluster);
    const nodes: NodeSummary[] = [];
    for (const c of clusters) for (const e of c.nodes.values()) nodes.push(e.summary);
    return {
      nodes,
      clusters: clusters.map((c) => c.health),
      updatedAt: this.updatedAt === null ? null : new Date(this.updatedAt).toISOString(),
    };
  }

  /**
   * {@link snapshot} as UTF-8 JSON, for the API: rebuilt after any change worth publishing, and
   * otherwise at most once per `maxAgeMs` (readings). Fifty clients asking for 1,000 nodes at once
   * then cost one serialisation, not fifty.
   */
  snapshotJson(cluster?: string, maxAgeMs = 1_000): Uint8Array<ArrayBuffer> {
    const key = cluster ?? "\u0000all";
    const now = this.now();
    const cached = this.jsonCache.get(key);
    if (cached && cached.version === this.changeVersion && now - cached.at < maxAgeMs) return cached.body;
    const body = new TextEncoder().encode(JSON.stringify(this.snapshot(cluster)));
    this.jsonCache.set(key, { version: this.changeVersion, at: now, body });
    return body;
  }

  /** A node's detail, or null when the poller does not know it. */
  detail(id: string): NodeDetail | null {
    const e = this.byId.get(id);
    if (!e) return null;
    const etcd = e.obs.etcd;
    return {
      summary: e.summary,
      services: (e.obs.services ?? []).map((s) => ({
        id: s.id,
        state: s.state,
        healthy: s.healthy,
        message: s.message,
        lastChange: s.lastChange === null ? null : new Date(s.lastChange).toISOString(),
      })),
      etcd: etcd ? { memberId: etcd.memberId, isLeader: e.etcdIsLeader, isLearner: etcd.isLearner, dbSize: etcd.dbSize } : null,
      history: e.history.points(this.now() - this.o.historyWindowMs),
      stageEvents: [...e.stageEvents],
    };
  }

  /** The cluster and `node` target of a known node ID (talosconfig or discovered). */
  resolve(id: string): { cluster: string; address: string } | null {
    return this.byId.has(id) ? parseNodeId(id) : null;
  }

  /** Cluster names, in talosconfig order. */
  clusterNames(): string[] {
    return this.clusters.map((c) => c.name);
  }

  // -------------------------------------------------------------------------------------------
  // Registry
  // -------------------------------------------------------------------------------------------

  private addNode(cluster: ClusterEntry, address: string, source: NodeObservation["source"]): NodeEntry {
    const id = nodeId(cluster.name, address);
    const existing = this.byId.get(id);
    if (existing) return existing;
    const obs = emptyObservation(cluster.name, address, source);
    const summary = summarizeNode(obs);
    const entry: NodeEntry = {
      id,
      cluster,
      obs,
      summary,
      signature: signatureOf(summary),
      publishedAt: 0,
      nextDue: this.now(),
      failures: 0,
      queued: false,
      polling: false,
      attempts: [],
      history: new HistoryRing(Math.ceil(this.o.historyWindowMs / this.o.intervalMs) + 1),
      stageEvents: [],
      etcdIsLeader: false,
      bootIdUnsupported: false,
      watch: null,
      lastFailure: null,
      memberNodeId: null,
    };
    cluster.nodes.set(id, entry);
    this.byId.set(id, entry);
    this.sweepPending.add(entry);
    if (this.o.watchEvents) this.startWatch(entry);
    return entry;
  }

  // -------------------------------------------------------------------------------------------
  // Scheduling
  // -------------------------------------------------------------------------------------------

  private tick = (): void => {
    if (!this.running) return;
    if (this.tickTimer !== null) this.o.clock.clearTimeout(this.tickTimer);
    this.tickTimer = null;
    const now = this.now();
    let nextWake = now + Math.min(1_000, this.o.intervalMs);
    for (const c of this.clusters) {
      if (!c.discovering && now >= c.nextDiscovery) void this.discover(c);
      nextWake = Math.min(nextWake, c.nextDiscovery);
    }
    for (const e of this.byId.values()) {
      if (e.queued || e.polling) continue;
      if (e.nextDue <= now) {
        e.queued = true;
        this.queue.push(e);
      } else nextWake = Math.min(nextWake, e.nextDue);
    }
    this.pump();
    if (now - this.lastReadingsFlush >= this.o.readingsRefreshMs) this.flushReadings(now);
    this.tickTimer = this.o.clock.setTimeout(this.tick, Math.max(10, nextWake - now));
  };

  private pump(): void {
    while (this.running && this.inFlightPolls < this.o.concurrency && this.queue.length > 0) {
      const e = this.queue.shift()!;
      e.queued = false;
      e.polling = true;
      this.inFlightPolls++;
      const p = this.pollNode(e)
        .catch((err: unknown) => console.error(`[minos] poll of ${e.id} failed`, err))
        .finally(() => {
          e.polling = false;
          this.inFlightPolls--;
          this.activePolls.delete(p);
          this.pump();
        });
      this.activePolls.add(p);
    }
  }

  /** Brings a node's next poll forward (never later than already planned). */
  private pollSoon(e: NodeEntry, delayMs = 0): void {
    const due = this.now() + delayMs;
    if (e.nextDue <= due) return;
    e.nextDue = due;
    if (this.running && !e.queued && !e.polling) {
      if (this.tickTimer !== null) this.o.clock.clearTimeout(this.tickTimer);
      this.tickTimer = this.o.clock.setTimeout(this.tick, Math.max(0, delayMs));
    }
  }

  private backoffMs(failures: number): number {
    if (failures <= 0) return this.o.intervalMs;
    const base = Math.min(this.o.maxBackoffMs, this.o.intervalMs * 2 ** (failures - 1));
    return Math.round(base * (1 + this.o.jitter * this.o.random()));
  }

  private noteSweep(e: NodeEntry): void {
    this.sweepPending.delete(e);
    if (this.sweepPending.size > 0) return;
    this.sweeps++;
    for (const n of this.byId.values()) this.sweepPending.add(n);
    for (const w of this.sweepWaiters.splice(0)) w();
  }

  // -------------------------------------------------------------------------------------------
  // Polling one node
  // -------------------------------------------------------------------------------------------

  private async call<T>(method: string, fn: (opts: { timeoutMs: number; signal: AbortSignal }) => Promise<T>): Promise<Outcome<T>> {
    this.inFlightCalls++;
    const started = performance.now();
    try {
      const value = await fn({ timeoutMs: this.o.callTimeoutMs, signal: this.abort.signal });
      this.o.onCall?.(method, (performance.now() - started) / 1000, "ok");
      return { ok: true, value };
    } catch (e) {
      const { error, detail } = toNodeError(e);
      this.o.onCall?.(method, (performance.now() - started) / 1000, error.code);
      return { ok: false, error, detail };
    } finally {
      this.inFlightCalls--;
    }
  }

  private async pollNode(e: NodeEntry): Promise<void> {
    const started = this.now();
    e.attempts.push(started);
    if (e.attempts.length > ATTEMPTS_KEPT) e.attempts.shift();
    const c = e.cluster.client;
    const target = e.obs.address;
    const askRole = e.obs.role === "unknown";
    const askBootId = !e.bootIdUnsupported;

    const [version, status, services, memory, load, hostname, bootId, machineType] = await Promise.all([
      this.call("Version", (o) => c.version(target, o)),
      this.call("MachineStatus", (o) => c.machineStatus(target, o)),
      this.call("ServiceList", (o) => c.serviceList(target, o)),
      this.call("Memory", (o) => c.memory(target, o)),
      this.call("LoadAvg", (o) => c.loadAvg(target, o)),
      this.call("Hostname", (o) => c.hostname(target, o)),
      askBootId ? this.call("BootID", (o) => c.bootId(target, o)) : Promise.resolve(null),
      askRole ? this.call("MachineType", (o) => c.getResource(target, resourceKinds.machineType, undefined, o)) : Promise.resolve(null),
    ]);
    if (e.cluster.signal.aborted) return;

    const o = e.obs;
    const outcomes: Outcome<unknown>[] = [version, status, services, memory, load, hostname];
    if (bootId) outcomes.push(bootId);
    if (machineType) outcomes.push(machineType);
    const reached = outcomes.some((x) => x.ok || answered(x.error));
    if (machineType?.ok) {
      const t = machineType.value.spec;
      if (t !== "unknown") o.role = t === "worker" ? "worker" : "controlplane";
    }

    // Control planes: etcd, after the role is known (one extra round trip on the first poll only).
    let etcdStatus: Outcome<Awaited<ReturnType<PollClient["etcdStatus"]>>> | null = null;
    let etcdMembers: Outcome<Awaited<ReturnType<PollClient["etcdMemberList"]>>> | null = null;
    if (reached && o.role === "controlplane") {
      [etcdStatus, etcdMembers] = await Promise.all([
        this.call("EtcdStatus", (opts) => c.etcdStatus(target, opts)),
        this.call("EtcdMemberList", (opts) => c.etcdMemberList(target, opts)),
      ]);
      if (e.cluster.signal.aborted) return;
    }

    const now = this.now();
    const forbidden: string[] = [];
    const note = <T>(name: string, r: Outcome<T> | null, apply: (v: T) => void) => {
      if (!r) return;
      if (r.ok) apply(r.value);
      else if (r.error.code === "forbidden") forbidden.push(name);
    };

    o.polledAt = now;
    o.reachable = reached;
    if (reached) {
      o.lastSeen = now;
      o.lastError = null;
      e.lastFailure = null;
      e.failures = 0;
      note("Version", version, (v) => (o.talosVersion = v.tag || o.talosVersion));
      note("MachineStatus", status, (v) => this.applyMachineStatus(e, v.stage, v.ready, v.unmetConditions, now));
      note("ServiceList", services, (v) => {
        o.services = v.map(
          (s): ServiceObservation => ({
            id: s.id,
            state: s.state,
            healthy: !s.health || s.health.unknown ? null : s.health.healthy,
            message: s.health?.lastMessage || s.events.at(-1)?.msg || "",
            lastChange: s.health?.lastChange?.getTime() ?? s.events.at(-1)?.ts?.getTime() ?? null,
          }),
        );
      });
      note("Memory", memory, (v) => (o.memory = { totalKb: v.memtotal, availableKb: v.memavailable }));
      note("LoadAvg", load, (v) => (o.load1 = v.load1));
      note("Hostname", hostname, (v) => (o.hostname = v || o.hostname));
      note("BootID", bootId, (v) => (o.bootId = v));
      if (bootId && !bootId.ok && bootId.error.code === "unsupported") e.bootIdUnsupported = true;
      // A failure of one read is not the node's state: keep what it said last, drop what would lie.
      if (!memory.ok) o.memory = null;
      if (!load.ok) o.load1 = null;

      if (etcdStatus?.ok) {
        const s = etcdStatus.value;
        o.etcd = { memberId: s.memberId, leaderId: s.leader, isLearner: s.isLearner, dbSize: s.dbSize, errors: s.errors };
        o.etcdError = null;
        e.etcdIsLeader = s.leader !== "0" && s.leader === s.memberId;
      } else if (etcdStatus) {
        o.etcd = null;
        e.etcdIsLeader = false;
        if (etcdStatus.error.code === "forbidden") forbidden.push("EtcdStatus");
        else o.etcdError = etcdStatus.error.message;
      }
      // Leader and membership live in the cluster roll-up, not in any node's summary.
      if (etcdStatus || etcdMembers) {
        this.healthStale = true;
        this.changeVersion++;
      }
      if (etcdMembers?.ok) {
        e.cluster.membership = { members: etcdMembers.value.members.map((m) => ({ id: m.id, hostname: m.hostname, isLearner: m.isLearner })) };
        this.discoverFromEtcd(e.cluster, etcdMembers.value.members);
      } else if (etcdMembers && etcdMembers.error.code === "forbidden") forbidden.push("EtcdMemberList");
      o.forbidden = forbidden;
      e.history.push(now, o.memory?.availableKb ?? null, o.load1);
    } else {
      e.failures++;
      const first = outcomes.find((x): x is { ok: false; error: NodeError; detail: string } => !x.ok);
      o.lastError = first?.error ?? { code: "node_unreachable", message: "no answer" };
      // Viewers see only that the node did not answer; why is for whoever reads the server log.
      const detail = first?.detail ?? "no answer";
      // grpc-js stamps "Failed to connect (<time>)": the same outage must not log on every poll.
      const key = detail.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "");
      if (key !== e.lastFailure) {
        e.lastFailure = key;
        console.warn(`[minos] ${e.id}: ${o.lastError.message}: ${detail}`);
      }
      o.etcd = null;
      e.etcdIsLeader = false;
    }

    e.nextDue = now + this.backoffMs(e.failures);
    this.polls++;
    this.o.onPoll?.(e.cluster.name, (now - started) / 1000, reached);
    this.refresh(e);
    this.noteSweep(e);
  }

  private applyMachineStatus(e: NodeEntry, stage: NodeStage, ready: boolean, unmetConditions: { name: string; reason: string }[], now: number): void {
    const prev = e.obs.machineStatus;
    e.obs.machineStatus = { stage, ready, unmetConditions };
    if (!prev || prev.stage !== stage || prev.ready !== ready) {
      e.stageEvents.push({ time: new Date(now).toISOString(), stage, ready });
      if (e.stageEvents.length > STAGE_EVENTS_KEPT) e.stageEvents.splice(0, e.stageEvents.length - STAGE_EVENTS_KEPT);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Change tracking and publishing
  // -------------------------------------------------------------------------------------------

  /** Recomputes a node's summary; schedules a publish when something other than readings changed. */
  private refresh(e: NodeEntry): void {
    // A poll or event of a removed cluster settling late must not bring its node back.
    if (e.cluster.signal.aborted) return;
    const summary = summarizeNode(e.obs);
    const signature = signatureOf(summary);
    const changed = signature !== e.signature;
    e.summary = summary;
    e.signature = signature;
    if (changed) {
      this.healthStale = true;
      this.changeVersion++;
      this.updatedAt = this.now();
      this.dirty.add(e);
      this.schedulePublish();
    }
  }

  private schedulePublish(): void {
    if (this.publishTimer !== null || !this.running) return;
    this.publishTimer = this.o.clock.setTimeout(() => {
      this.publishTimer = null;
      this.flush();
    }, this.o.publishDelayMs);
  }

  private flushReadings(now: number): void {
    this.lastReadingsFlush = now;
    let any = false;
    for (const e of this.byId.values()) {
      if (e.obs.reachable && e.obs.lastSeen !== null && e.obs.lastSeen > e.publishedAt) {
        this.dirty.add(e);
        any = true;
      }
    }
    if (any) {
      this.updatedAt = now;
      this.flush();
    }
  }

  private clusterHealth(c: ClusterEntry): ClusterHealth {
    const entries = [...c.nodes.values()];
    const health = summarizeCluster(
      c.name,
      entries.map((e) => e.obs),
      entries.map((e) => e.summary),
      c.membership,
    );
    return { ...health, upgrade: this.upgrades.get(c.name) ?? null };
  }

  /**
   * Records a cluster's live upgrade (null once it ends) and publishes the new roll-up at once:
   * a node finishing its health gate changes "upgrading 3/8" without any node reading changing.
   */
  setClusterUpgrade(cluster: string, progress: ClusterUpgradeProgress | null): void {
    const before = this.upgrades.get(cluster);
    if (progress) this.upgrades.set(cluster, progress);
    else this.upgrades.delete(cluster);
    if (JSON.stringify(before ?? null) === JSON.stringify(progress)) return;
    this.healthStale = true;
    if (!this.clusters.some((c) => c.name === cluster)) return;
    this.refreshHealth();
    this.o.publish?.({
      type: "nodes",
      nodes: [],
      removed: [],
      clusters: this.clusters.map((c) => c.health),
      updatedAt: new Date(this.updatedAt ?? this.now()).toISOString(),
    });
  }

  private refreshHealth(): void {
    if (!this.healthStale) return;
    this.healthStale = false;
    for (const c of this.clusters) c.health = this.clusterHealth(c);
  }

  private flush(): void {
    if (this.dirty.size === 0) return;
    const now = this.now();
    const nodes: NodeSummary[] = [];
    for (const e of this.dirty) {
      e.publishedAt = now;
      nodes.push(e.summary);
    }
    this.dirty.clear();
    this.refreshHealth();
    this.o.publish?.({
      type: "nodes",
      nodes,
      removed: [],
      clusters: this.clusters.map((c) => c.health),
      updatedAt: new Date(this.updatedAt ?? now).toISOString(),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Discovery
  // -------------------------------------------------------------------------------------------

  /** Matches discovered members against this cluster's nodes (lib/server/fleet/member-match.ts). */
  private matchDiscovered<M extends DiscoveredMember>(c: ClusterEntry, members: readonly M[]): { member: M; entry: NodeEntry; isNew: boolean }[] {
    const entries = [...c.nodes.values()];
    const known: KnownNode[] = entries.map((e) => ({ key: e.id, address: e.obs.address, hostname: e.obs.hostname, memberNodeId: e.memberNodeId }));
    const out: { member: M; entry: NodeEntry; isNew: boolean }[] = [];
    matchMembers(known, members).forEach((match, i) => {
      const member = members[i]!;
      if (match.kind === "known") out.push({ member, entry: c.nodes.get(match.key)!, isNew: false });
      else if (match.kind === "new") out.push({ member, entry: this.addNode(c, match.target, "discovered"), isNew: true });
    });
    return out;
  }

  private async discover(c: ClusterEntry): Promise<void> {
    c.discovering = true;
    try {
      const r = await this.call("Members", (o) => c.client.clusterMembers(undefined, o));
      if (!r.ok || c.signal.aborted) return;
      for (const { member: m, entry: e, isNew } of this.matchDiscovered(c, r.value)) {
        const role = m.machineType === "controlplane" || m.machineType === "init" ? "controlplane" : m.machineType === "worker" ? "worker" : "unknown";
        if (m.nodeId) e.memberNodeId = m.nodeId;
        if (e.obs.role === "unknown" && role !== "unknown") e.obs.role = role;
        if (!e.obs.hostname && m.hostname) e.obs.hostname = m.hostname;
        if (isNew) this.pollSoon(e);
      }
    } finally {
      c.discovering = false;
      c.nextDiscovery = this.now() + this.o.discoveryIntervalMs;
    }
  }

  private discoverFromEtcd(c: ClusterEntry, members: readonly { hostname: string; peerUrls: string[]; clientUrls: string[] }[]): void {
    const discovered: DiscoveredMember[] = members.map((m) => ({
      nodeId: "",
      hostname: m.hostname,
      addresses: [...new Set([...m.peerUrls, ...m.clientUrls].map(hostOf).filter((h): h is string => h !== null))],
    }));
    for (const { member, entry: e, isNew } of this.matchDiscovered(c, discovered)) {
      if (e.obs.role === "unknown") e.obs.role = "controlplane";
      if (isNew) {
        if (member.hostname) e.obs.hostname = member.hostname;
        this.pollSoon(e);
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Events watchers
  // -------------------------------------------------------------------------------------------

  private startWatch(e: NodeEntry): void {
    e.watch = { connected: false, failures: 0 };
    const p = this.watchLoop(e).finally(() => this.activeWatches.delete(p));
    this.activeWatches.add(p);
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const h = this.o.clock.setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        this.o.clock.clearTimeout(h);
        resolve();
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  private async watchLoop(e: NodeEntry): Promise<void> {
    await this.start();
    const w = e.watch!;
    const { first, max } = this.o.watchBackoffMs;
    const signal = e.cluster.signal;
    while (!signal.aborted) {
      let helloAt: number | null = null;
      try {
        for await (const ev of e.cluster.client.events(e.obs.address, { signal })) {
          if (ev.type === "hello") {
            helloAt = this.now();
            w.connected = true;
            this.watchers++;
            // Resync after a gap: what happened while the stream was down is not replayed.
            if (w.failures > 0 || !e.obs.reachable) {
              e.failures = 0;
              this.pollSoon(e);
            }
            w.failures = 0;
          } else if (ev.type === "machineStatus") {
            this.onMachineStatus(e, ev.stage, ev.ready, ev.unmetConditions);
          } else if (ev.type === "serviceState") {
            // Service transitions come in bursts (a boot); one poll shortly after picks them all up.
            this.pollSoon(e, 500);
          }
        }
      } catch {
        // The node went away (rebooting, down): the poll decides what that means.
      }
      if (w.connected) {
        w.connected = false;
        this.watchers--;
      }
      if (signal.aborted) return;
      if (helloAt !== null && e.failures === 0) this.pollSoon(e);
      w.failures++;
      await this.sleep(Math.min(max, first * 2 ** (w.failures - 1)) * (1 + this.o.jitter * this.o.random()), signal);
    }
  }

  private onMachineStatus(e: NodeEntry, stage: NodeStage, ready: boolean, unmet: { name: string; reason: string }[]): void {
    const now = this.now();
    this.applyMachineStatus(e, stage, ready, unmet, now);
    e.obs.reachable = true;
    e.obs.lastSeen = now;
    e.obs.lastError = null;
    if (e.obs.polledAt === null) e.obs.polledAt = now;
    this.refresh(e);
    // A stage change is what an operator watches for: publish at once, not after the coalescing delay.
    if (this.dirty.size > 0) {
      if (this.publishTimer !== null) this.o.clock.clearTimeout(this.publishTimer);
      this.publishTimer = null;
      this.flush();
    }
    // Services, etcd and readiness follow a stage change: look again soon.
    this.pollSoon(e, 300);
  }
}

/** Creates a poller; call `start()` to begin. */
export function createFleetPoller(options: PollerOptions): FleetPoller {
  return new FleetPoller(options);
}
