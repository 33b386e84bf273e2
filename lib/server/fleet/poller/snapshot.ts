import "server-only";

import type { ClusterHealth, NodeDetail, NodesResponse, NodeSummary } from "@/lib/schemas/fleet";
import { UNKNOWN_CLUSTER_KUBERNETES, UNKNOWN_NODE_KUBERNETES, type ClusterKubernetes, type NodeKubernetes } from "@/lib/schemas/kubernetes";
import type { ClusterUpgradeProgress } from "@/lib/schemas/upgrades";

import { summarizeCluster, summarizeNode } from "../health";
import { signatureOf, type ClusterEntry, type NodeEntry, type PollerCore } from "./core";

/**
 * The poller's snapshot and its change feed: recomputes a node's summary after each poll or
 * event, coalesces real changes into one `nodes` event, publishes readings-only changes at most
 * every `readingsRefreshMs`, keeps the cluster roll-ups (with the live upgrade overlaid) and
 * serves the reads the API makes, with the serialised JSON cached between changes.
 */
export class FleetSnapshot {
  private readonly dirty = new Set<NodeEntry>();
  private publishTimer: unknown = null;
  private lastReadingsFlush = 0;
  private updatedAt: number | null = null;
  /** Cluster roll-ups are recomputed lazily, at most once per change, not once per poll. */
  private healthStale = false;
  /** Bumped on every change worth publishing; keys the serialized snapshot cache. */
  private changeVersion = 0;
  private readonly jsonCache = new Map<string, { version: number; at: number; body: Uint8Array<ArrayBuffer> }>();
  /** The live upgrade per cluster, fed by the upgrade runner's events. */
  private readonly upgrades = new Map<string, ClusterUpgradeProgress>();
  /** What Kubernetes says per cluster and per node address, fed by the Kubernetes status job. */
  private readonly kubernetes = new Map<string, { cluster: ClusterKubernetes; nodes: Record<string, NodeKubernetes> }>();

  constructor(private readonly core: PollerCore) {}

  /** Polling starts: the readings refresh counts from now. */
  started(now: number): void {
    this.lastReadingsFlush = now;
  }

  stop(): void {
    if (this.publishTimer !== null) this.core.o.clock.clearTimeout(this.publishTimer);
    this.publishTimer = null;
  }

  /** Recomputes a node's summary; schedules a publish when something other than readings changed. */
  refresh(e: NodeEntry): void {
    // A poll or event of a removed cluster settling late must not bring its node back.
    if (e.cluster.signal.aborted) return;
    const summary = this.withKubernetes(summarizeNode(e.obs), e);
    const signature = signatureOf(summary);
    const changed = signature !== e.signature;
    e.summary = summary;
    e.signature = signature;
    if (changed) {
      e.cluster.changes++;
      this.healthStale = true;
      this.changeVersion++;
      this.updatedAt = this.core.now();
      this.dirty.add(e);
      this.schedulePublish();
    }
  }

  /** Publishes the pending changes now instead of after the coalescing delay (a stage change). */
  flushNow(): void {
    if (this.dirty.size === 0) return;
    if (this.publishTimer !== null) this.core.o.clock.clearTimeout(this.publishTimer);
    this.publishTimer = null;
    this.flush();
  }

  /** Leader and membership changed: they live in the cluster roll-up, not in any node's summary. */
  rollupChanged(): void {
    this.healthStale = true;
    this.changeVersion++;
  }

  /** A removed node's pending change is dropped. */
  forget(e: NodeEntry): void {
    this.dirty.delete(e);
  }

  /** Clusters were added or removed: one `nodes` event with the new nodes, the removed ids and every roll-up. */
  clustersChanged(added: NodeSummary[], removedIds: string[]): void {
    this.changeVersion++;
    this.healthStale = true;
    this.publishNodes(added, removedIds);
  }

  /** Publishes the readings of nodes not published for `readingsRefreshMs`. */
  tick(now: number): void {
    if (now - this.lastReadingsFlush < this.core.o.readingsRefreshMs) return;
    this.lastReadingsFlush = now;
    let any = false;
    for (const e of this.core.byId.values()) {
      if (e.obs.reachable && e.obs.lastSeen !== null && e.obs.lastSeen > e.publishedAt) {
        if (e.cluster.owned) e.cluster.changes++;
        this.dirty.add(e);
        any = true;
      }
    }
    if (any) {
      this.updatedAt = now;
      this.flush();
    }
  }

  clusterHealth(c: ClusterEntry): ClusterHealth {
    const entries = [...c.nodes.values()];
    const health = summarizeCluster(
      c.name,
      entries.map((e) => e.obs),
      entries.map((e) => e.summary),
      c.membership,
    );
    return { ...health, upgrade: this.upgrades.get(c.name) ?? null, kubernetes: this.kubernetes.get(c.name)?.cluster ?? UNKNOWN_CLUSTER_KUBERNETES };
  }

  /**
   * Records what Kubernetes says about a cluster and its nodes. Nodes whose status changed are
   * published like any other change; a roll-up that changed only its `checkedAt` is not (it
   * rides along with the next change).
   */
  setClusterKubernetes(cluster: string, status: { cluster: ClusterKubernetes; nodes: Record<string, NodeKubernetes> }): void {
    const before = this.kubernetes.get(cluster);
    this.kubernetes.set(cluster, status);
    const c = this.core.clusters.find((x) => x.name === cluster);
    if (!c) return;
    for (const e of c.nodes.values()) this.refresh(e);
    const rollup = (k: ClusterKubernetes | undefined) => JSON.stringify(k ? { ...k, checkedAt: null } : null);
    this.healthStale = true;
    if (rollup(before?.cluster) === rollup(status.cluster)) return;
    this.changeVersion++;
    if (this.dirty.size === 0) this.publishNodes([], []);
  }

  private withKubernetes(summary: NodeSummary, e: NodeEntry): NodeSummary {
    const k = this.kubernetes.get(e.cluster.name)?.nodes[e.obs.address] ?? UNKNOWN_NODE_KUBERNETES;
    return { ...summary, kubernetesVersion: k.kubeletVersion ?? summary.kubernetesVersion ?? null, kubernetes: k };
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
    if (!this.core.clusters.some((c) => c.name === cluster)) return;
    this.publishNodes([], []);
  }

  /** Every node and cluster roll-up, or one cluster's. */
  snapshot(cluster?: string): NodesResponse {
    this.refreshHealth();
    const clusters = cluster === undefined ? this.core.clusters : this.core.clusters.filter((c) => c.name === cluster);
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
    const now = this.core.now();
    const cached = this.jsonCache.get(key);
    if (cached && cached.version === this.changeVersion && now - cached.at < maxAgeMs) return cached.body;
    const body = new TextEncoder().encode(JSON.stringify(this.snapshot(cluster)));
    this.jsonCache.set(key, { version: this.changeVersion, at: now, body });
    return body;
  }

  /** A node's detail, or null when the poller does not know it. */
  detail(id: string): NodeDetail | null {
    const e = this.core.byId.get(id);
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
      history: e.history.points(this.core.now() - this.core.o.historyWindowMs),
      stageEvents: [...e.stageEvents],
    };
  }

  private schedulePublish(): void {
    if (this.publishTimer !== null || !this.core.running) return;
    this.publishTimer = this.core.o.clock.setTimeout(() => {
      this.publishTimer = null;
      this.flush();
    }, this.core.o.publishDelayMs);
  }

  private refreshHealth(): void {
    if (!this.healthStale) return;
    this.healthStale = false;
    for (const c of this.core.clusters) c.health = this.clusterHealth(c);
  }

  private flush(): void {
    if (this.dirty.size === 0) return;
    const now = this.core.now();
    const nodes: NodeSummary[] = [];
    for (const e of this.dirty) {
      e.publishedAt = now;
      nodes.push(e.summary);
    }
    this.dirty.clear();
    this.publishNodes(nodes, [], now);
  }

  private publishNodes(nodes: NodeSummary[], removed: string[], now?: number): void {
    this.refreshHealth();
    this.core.o.publish?.({
      type: "nodes",
      nodes,
      removed,
      clusters: this.core.clusters.map((c) => c.health),
      updatedAt: new Date(this.updatedAt ?? now ?? this.core.now()).toISOString(),
    });
  }
}
