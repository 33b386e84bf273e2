import "server-only";

import type { NodeObservation } from "../health";
import { matchMembers, type DiscoveredMember, type KnownNode } from "../member-match";
import type { TalosCaller } from "./caller";
import type { ClusterEntry, NodeEntry, PollerCore } from "./core";

/** What discovery changes; the poller wires these to its registry and scheduler. */
export interface DiscoveryHooks {
  /** Adds a node to a cluster (or returns the one already known by that ID). */
  addNode(c: ClusterEntry, address: string, source: NodeObservation["source"]): NodeEntry;
  pollSoon(e: NodeEntry): void;
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, "") || null;
  } catch {
    return null;
  }
}

/**
 * Finds nodes beyond the talosconfig's: COSI Members (every `discoveryIntervalMs`) and the etcd
 * members a control plane lists (each of its polls). A found node is matched against the known
 * ones (lib/server/fleet/member-match.ts) so one machine is never listed twice; a new one is
 * added and polled at once. Members also fill in a known node's role and hostname.
 */
export class Discovery {
  constructor(
    private readonly core: PollerCore,
    private readonly caller: TalosCaller,
    private readonly hooks: DiscoveryHooks,
  ) {}

  /** Lists the cluster's COSI Members; the next run is due `discoveryIntervalMs` after this one ends. */
  async members(c: ClusterEntry): Promise<void> {
    c.discovering = true;
    try {
      const r = await this.caller.call("Members", (o) => c.client.clusterMembers(undefined, o));
      if (!r.ok || c.pollSignal.aborted) return;
      for (const { member: m, entry: e, isNew } of this.match(c, r.value)) {
        const role = m.machineType === "controlplane" || m.machineType === "init" ? "controlplane" : m.machineType === "worker" ? "worker" : "unknown";
        if (m.nodeId) e.memberNodeId = m.nodeId;
        if (e.obs.role === "unknown" && role !== "unknown") e.obs.role = role;
        if (!e.obs.hostname && m.hostname) e.obs.hostname = m.hostname;
        if (isNew) this.hooks.pollSoon(e);
      }
    } finally {
      c.discovering = false;
      c.nextDiscovery = this.core.now() + this.core.o.discoveryIntervalMs;
    }
  }

  /** Etcd members are control planes; one the cluster does not know yet is added by its peer and client URLs. */
  etcdMembers(c: ClusterEntry, members: readonly { hostname: string; peerUrls: string[]; clientUrls: string[] }[]): void {
    const discovered: DiscoveredMember[] = members.map((m) => ({
      nodeId: "",
      hostname: m.hostname,
      addresses: [...new Set([...m.peerUrls, ...m.clientUrls].map(hostOf).filter((h): h is string => h !== null))],
    }));
    for (const { member, entry: e, isNew } of this.match(c, discovered)) {
      if (e.obs.role === "unknown") e.obs.role = "controlplane";
      if (isNew) {
        if (member.hostname) e.obs.hostname = member.hostname;
        this.hooks.pollSoon(e);
      }
    }
  }

  private match<M extends DiscoveredMember>(c: ClusterEntry, members: readonly M[]): { member: M; entry: NodeEntry; isNew: boolean }[] {
    const entries = [...c.nodes.values()];
    const known: KnownNode[] = entries.map((e) => ({ key: e.id, address: e.obs.address, hostname: e.obs.hostname, memberNodeId: e.memberNodeId }));
    const out: { member: M; entry: NodeEntry; isNew: boolean }[] = [];
    matchMembers(known, members).forEach((match, i) => {
      const member = members[i]!;
      if (match.kind === "known") out.push({ member, entry: c.nodes.get(match.key)!, isNew: false });
      else if (match.kind === "new") out.push({ member, entry: this.hooks.addNode(c, match.target, "discovered"), isNew: true });
    });
    return out;
  }
}
