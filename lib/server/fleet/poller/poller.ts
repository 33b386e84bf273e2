import "server-only";

import { setMaxListeners } from "node:events";

import { nodeId, parseNodeId } from "@/lib/fleet/node-id";
import type { NodeDetail, NodesResponse, NodeSummary } from "@/lib/schemas/fleet";
import type { ClusterKubernetes, NodeKubernetes } from "@/lib/schemas/kubernetes";
import type { ClusterUpgradeProgress } from "@/lib/schemas/upgrades";
import { AppError } from "@/lib/server/platform/errors";

import { emptyObservation, summarizeCluster, summarizeNode, type NodeObservation } from "../health";
import { HistoryRing } from "../history";
import { TalosCaller } from "./caller";
import { signatureOf, type ClusterEntry, type NodeEntry, type PollerCore } from "./core";
import { Discovery } from "./discovery";
import { NodePoll } from "./node-poll";
import { PollScheduler } from "./scheduler";
import type { ClusterImage } from "./image";
import { exportCluster, importCluster } from "./mirror";
import { FleetSnapshot } from "./snapshot";
import { resolvePollerOptions, type PollerCluster, type PollerOptions, type PollerStats } from "./types";
import { EventWatchers } from "./watch";

/**
 * The fleet poller: one per server process. Polls every node on an interval with bounded
 * concurrency and a deadline per call, backs off from unreachable nodes, discovers nodes beyond
 * the talosconfig, follows each node's Events stream for stage changes, and keeps the snapshot
 * that the API serves (no page request ever reaches a node).
 *
 * This class owns the lifecycle and the registry of clusters and nodes; the work is done by its
 * parts, wired here: {@link PollScheduler} (when), {@link NodePoll} (one node's reads),
 * {@link Discovery}, {@link EventWatchers} and {@link FleetSnapshot} (the snapshot and its events).
 */
export class FleetPoller {
  private readonly abort = new AbortController();
  private readonly core: PollerCore;
  private readonly caller: TalosCaller;
  private readonly scheduler: PollScheduler;
  private readonly nodePoll: NodePoll;
  private readonly discovery: Discovery;
  private readonly watchers: EventWatchers;
  private readonly view: FleetSnapshot;
  private startPromise: Promise<void> | null = null;
  private reloading: Promise<unknown> = Promise.resolve();

  constructor(options: PollerOptions) {
    const o = resolvePollerOptions(options);
    this.core = { o, clusters: [], byId: new Map(), running: false, signal: this.abort.signal, now: () => o.clock.now() };
    // Every call in flight listens on this one signal; thousands at once are expected.
    setMaxListeners(0, this.abort.signal);
    this.caller = new TalosCaller(this.core);
    this.view = new FleetSnapshot(this.core);
    this.scheduler = new PollScheduler(this.core, {
      poll: (e) => this.nodePoll.poll(e),
      discover: (c) => void this.discovery.members(c),
      tick: (now) => this.view.tick(now),
    });
    const pollSoon = (e: NodeEntry, delayMs?: number) => this.scheduler.pollSoon(e, delayMs);
    this.discovery = new Discovery(this.core, this.caller, { addNode: (c, address, source) => this.addNode(c, address, source), pollSoon });
    this.nodePoll = new NodePoll(this.core, this.caller, {
      refresh: (e) => this.view.refresh(e),
      rollupChanged: () => this.view.rollupChanged(),
      polled: (e) => this.scheduler.polled(e),
      backoffMs: (failures) => this.scheduler.backoffMs(failures),
      etcdMembers: (c, members) => this.discovery.etcdMembers(c, members),
    });
    this.watchers = new EventWatchers(this.core, {
      started: () => this.start(),
      pollSoon,
      refresh: (e) => this.view.refresh(e),
      flushNow: () => this.view.flushNow(),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------------------------

  /** Loads the clusters and starts polling. Idempotent. */
  start(): Promise<void> {
    this.startPromise ??= (async () => {
      const clusters = await this.core.o.loadClusters();
      if (this.abort.signal.aborted) return;
      for (const c of clusters) this.addCluster(c);
      this.core.running = true;
      this.view.started(this.core.now());
      await this.core.o.ownership?.start(this);
      this.scheduler.tick();
    })();
    return this.startPromise;
  }

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
      const next = await this.core.o.loadClusters();
      const { core } = this;
      if (!core.running) return { added: [], removed: [] };
      // A cluster uploaded again under the same name with other credentials comes with another
      // client (fleet/clients.ts builds one per context content): it is replaced, not kept.
      const wanted = new Set(next.filter((c) => core.clusters.every((x) => x.name !== c.name || x.client === c.client)).map((c) => c.name));
      const removed: string[] = [];
      const removedEntries: NodeEntry[] = [];
      for (const c of core.clusters.filter((x) => !wanted.has(x.name))) {
        c.remove.abort(new AppError("internal", `cluster "${c.name}" was removed`));
        for (const e of c.nodes.values()) {
          core.byId.delete(e.id);
          this.view.forget(e);
          removedEntries.push(e);
        }
        removed.push(c.name);
      }
      core.clusters = core.clusters.filter((x) => wanted.has(x.name));
      this.scheduler.forget(removedEntries);
      const added: NodeSummary[] = [];
      const addedNames: string[] = [];
      for (const c of next) {
        if (core.clusters.some((x) => x.name === c.name)) continue;
        for (const e of this.addCluster(c).nodes.values()) added.push(e.summary);
        addedNames.push(c.name);
      }
      if (removed.length === 0 && addedNames.length === 0) return { added: [], removed: [] };
      await this.core.o.ownership?.clustersChanged();
      this.view.clustersChanged(
        added,
        removedEntries.map((e) => e.id),
      );
      if (removedEntries.length > 0) this.scheduler.settleSweep();
      this.scheduler.tick();
      return { added: addedNames, removed };
    });
    this.reloading = run.catch(() => undefined);
    return run;
  }

  /** Stops polling and watching; resolves once every call in flight has settled. */
  async stop(): Promise<void> {
    await this.core.o.ownership?.stop().catch((e: unknown) => console.error("[minos] giving the fleet's cluster leases back failed", e));
    this.core.running = false;
    this.abort.abort(new AppError("internal", "the fleet poller stopped"));
    this.view.stop();
    await Promise.all([this.scheduler.stop(), this.watchers.stop()]);
  }

  /** Resolves after the next full sweep (every node polled once from now), or after `timeoutMs`. */
  async nextSweep(timeoutMs = Infinity): Promise<boolean> {
    await this.start();
    return this.scheduler.waitForSweep(timeoutMs);
  }

  /** Resolves once every node has been polled at least once (or after `timeoutMs`). */
  async firstSweep(timeoutMs = Infinity): Promise<boolean> {
    await this.start();
    if (this.scheduler.sweeps > 0 || !this.scheduler.polling()) return true;
    return this.nextSweep(timeoutMs);
  }

  /** Polls every node now, regardless of schedule and backoff, and waits for all of them. */
  async sweepNow(): Promise<void> {
    await this.start();
    this.scheduler.restartSweep();
    const done = this.nextSweep();
    this.scheduler.tick();
    await done;
  }

  stats(): PollerStats {
    return {
      nodes: this.core.byId.size,
      inFlightCalls: this.caller.inFlight,
      inFlightPolls: this.scheduler.inFlight,
      queued: this.scheduler.queued,
      polls: this.nodePoll.polls,
      fullReads: this.nodePoll.fullReads,
      watchers: this.watchers.open,
      sweeps: this.scheduler.sweeps,
    };
  }

  /** Start times of a node's recent polls, oldest first (tests watch the backoff with it). */
  attempts(id: string): number[] {
    return [...(this.core.byId.get(id)?.attempts ?? [])];
  }

  // -------------------------------------------------------------------------------------------
  // Snapshot reads (what the API serves)
  // -------------------------------------------------------------------------------------------

  /** Every node and cluster roll-up, or one cluster's. */
  snapshot(cluster?: string): NodesResponse {
    return this.view.snapshot(cluster);
  }

  /** {@link snapshot} as UTF-8 JSON, cached between changes (see {@link FleetSnapshot.snapshotJson}). */
  snapshotJson(cluster?: string, maxAgeMs?: number): Uint8Array<ArrayBuffer> {
    return this.view.snapshotJson(cluster, maxAgeMs);
  }

  /** A node's detail, or null when the poller does not know it. */
  detail(id: string): NodeDetail | null {
    return this.view.detail(id);
  }

  /** The cluster and `node` target of a known node ID (talosconfig or discovered). */
  resolve(id: string): { cluster: string; address: string } | null {
    return this.core.byId.has(id) ? parseNodeId(id) : null;
  }

  /** Cluster names, in talosconfig order. */
  clusterNames(): string[] {
    return this.core.clusters.map((c) => c.name);
  }

  /** Names of the clusters this process polls (the others it mirrors). */
  ownedClusters(): string[] {
    return this.core.clusters.filter((c) => c.owned).map((c) => c.name);
  }

  /**
   * Starts or stops polling a cluster (its lease was taken or lost). Its nodes, history and
   * snapshot stay either way: a new owner carries on from what the mirror last showed, and a
   * former owner mirrors from where its own polls left off. Returns false for an unknown cluster.
   */
  setOwned(name: string, owned: boolean): boolean {
    const c = this.core.clusters.find((x) => x.name === name);
    if (!c) return false;
    if (c.owned === owned) return true;
    c.owned = owned;
    const nodes = [...c.nodes.values()];
    if (!owned) {
      c.pollStop.abort(new AppError("internal", `cluster "${name}" is polled by another replica now`));
      this.scheduler.forget(nodes);
      this.scheduler.settleSweep();
      return true;
    }
    this.newPollSignal(c);
    const now = this.core.now();
    c.nextDiscovery = now;
    for (const e of nodes) {
      e.nextDue = now;
      e.failures = 0;
      this.scheduler.track(e);
      if (this.core.o.watchEvents) this.watchers.start(e);
    }
    this.scheduler.tick();
    return true;
  }

  /** How many snapshot changes a cluster has seen (an owner writes its image when this moves). */
  clusterChanges(name: string): number | null {
    return this.core.clusters.find((c) => c.name === name)?.changes ?? null;
  }

  /** The cluster's state for other replicas to mirror, or null for an unknown cluster. */
  exportCluster(name: string): ClusterImage | null {
    const c = this.core.clusters.find((x) => x.name === name);
    return c ? exportCluster(c, this.core.now(), this.core.o.historyWindowMs) : null;
  }

  /**
   * Shows what another replica polled: ignored for a cluster this process polls itself (its own
   * polls are newer) or does not know. Changes are published like those of a poll.
   */
  importCluster(image: ClusterImage): boolean {
    const c = this.core.clusters.find((x) => x.name === image.cluster);
    if (!c || c.owned) return false;
    const removed = importCluster(c, image, {
      addNode: (address, source) => this.addNode(c, address, source),
      removeNode: (e) => {
        c.nodes.delete(e.id);
        this.core.byId.delete(e.id);
        this.view.forget(e);
      },
      refresh: (e) => this.view.refresh(e),
    });
    this.view.rollupChanged();
    if (removed.length > 0) this.view.clustersChanged([], removed);
    return true;
  }

  /** What Kubernetes says about a cluster and its nodes (by address), merged into the snapshot (see {@link FleetSnapshot.setClusterKubernetes}). */
  setClusterKubernetes(cluster: string, status: { cluster: ClusterKubernetes; nodes: Record<string, NodeKubernetes> }): void {
    this.view.setClusterKubernetes(cluster, status);
  }

  /** A cluster's Talos nodes (address and hostname), for matching them to Kubernetes Nodes. */
  talosNodes(cluster: string): { address: string; hostname: string | null; role: NodeSummary["role"]; reachable: boolean; running: boolean }[] {
    const c = this.core.clusters.find((x) => x.name === cluster);
    const running = (o: NodeObservation) => o.reachable && o.machineStatus?.stage === "running" && o.machineStatus.ready;
    return c ? [...c.nodes.values()].map((e) => ({ address: e.obs.address, hostname: e.obs.hostname, role: e.obs.role, reachable: e.obs.reachable, running: running(e.obs) })) : [];
  }

  /** The poll interval, which the Kubernetes status job follows. */
  get intervalMs(): number {
    return this.core.o.intervalMs;
  }

  /** A cluster's live upgrade (null once it ends), shown in its roll-up (see {@link FleetSnapshot.setClusterUpgrade}). */
  setClusterUpgrade(cluster: string, progress: ClusterUpgradeProgress | null): void {
    this.view.setClusterUpgrade(cluster, progress);
  }

  // -------------------------------------------------------------------------------------------
  // Registry
  // -------------------------------------------------------------------------------------------

  private addCluster(c: PollerCluster): ClusterEntry {
    const remove = new AbortController();
    const signal = AbortSignal.any([this.abort.signal, remove.signal]);
    const owned = !this.core.o.startUnowned;
    const pollStop = new AbortController();
    if (!owned) pollStop.abort();
    const entry: ClusterEntry = {
      name: c.name,
      client: c.client,
      signal,
      remove,
      owned,
      pollStop,
      pollSignal: AbortSignal.any([signal, pollStop.signal]),
      changes: 0,
      nodes: new Map(),
      membership: null,
      nextDiscovery: this.core.now(),
      discovering: false,
      health: summarizeCluster(c.name, [], [], null),
    };
    setMaxListeners(0, entry.signal);
    setMaxListeners(0, entry.pollSignal);
    this.core.clusters.push(entry);
    for (const address of c.nodes) this.addNode(entry, address, "talosconfig");
    entry.health = this.view.clusterHealth(entry);
    return entry;
  }

  private addNode(cluster: ClusterEntry, address: string, source: NodeObservation["source"]): NodeEntry {
    const id = nodeId(cluster.name, address);
    const existing = this.core.byId.get(id);
    if (existing) return existing;
    const o = this.core.o;
    const obs = emptyObservation(cluster.name, address, source);
    const summary = summarizeNode(obs);
    const entry: NodeEntry = {
      id,
      cluster,
      obs,
      summary,
      signature: signatureOf(summary),
      publishedAt: 0,
      nextDue: this.core.now(),
      failures: 0,
      queued: false,
      polling: false,
      attempts: [],
      history: new HistoryRing(Math.ceil(o.historyWindowMs / o.intervalMs) + 1),
      stageEvents: [],
      etcdIsLeader: false,
      bootIdUnsupported: false,
      watch: null,
      pollAfter: null,
      fullReadDue: true,
      fullReadAt: -Infinity,
      lastFailure: null,
      memberNodeId: null,
    };
    cluster.nodes.set(id, entry);
    this.core.byId.set(id, entry);
    this.scheduler.track(entry);
    if (o.watchEvents && cluster.owned) this.watchers.start(entry);
    return entry;
  }

  private newPollSignal(c: ClusterEntry): void {
    c.pollStop = new AbortController();
    c.pollSignal = AbortSignal.any([c.signal, c.pollStop.signal]);
    setMaxListeners(0, c.pollSignal);
  }
}

/** Creates a poller; call `start()` to begin. */
export function createFleetPoller(options: PollerOptions): FleetPoller {
  return new FleetPoller(options);
}
