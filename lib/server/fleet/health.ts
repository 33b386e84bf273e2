import "server-only";

import { nodeId } from "@/lib/fleet/node-id";
import type { ClusterHealth, EtcdQuorum, NodeError, NodeRole, NodeStage, NodeSummary, Problem } from "@/lib/schemas/fleet";

/**
 * The health model: pure functions of what the poller last read and the time. The poller (I/O)
 * keeps one {@link NodeObservation} per node and asks this module what it means.
 */

/** One service as the poll read it (ServiceList). */
export interface ServiceObservation {
  id: string;
  state: string;
  /** null when Talos reports the health as unknown (no health check). */
  healthy: boolean | null;
  message: string;
  lastChange: number | null;
}

/** This control plane's own etcd, from EtcdStatus. */
export interface EtcdObservation {
  memberId: string;
  /** The leader's member id as this member sees it ("0": none). */
  leaderId: string;
  isLearner: boolean;
  dbSize: number;
  /** etcd's own errors for this member; non-empty means unhealthy. */
  errors: string[];
}

/** Everything the poller knows about one node. Times are epoch milliseconds. */
export interface NodeObservation {
  cluster: string;
  /** The `node` target (address, or hostname where addresses are shared). */
  address: string;
  source: "talosconfig" | "discovered";
  /** When the last poll finished; null before the first one. */
  polledAt: number | null;
  /** The last poll reached the node. */
  reachable: boolean;
  lastSeen: number | null;
  lastError: NodeError | null;
  hostname: string | null;
  role: NodeRole;
  talosVersion: string | null;
  machineStatus: { stage: NodeStage; ready: boolean; unmetConditions: { name: string; reason: string }[] } | null;
  services: ServiceObservation[] | null;
  memory: { totalKb: number; availableKb: number } | null;
  load1: number | null;
  bootId: string | null;
  /** null on workers, or when EtcdStatus was not read. */
  etcd: EtcdObservation | null;
  /** Why EtcdStatus failed on a reachable control plane (etcd down, not running yet…). */
  etcdError: string | null;
  /** Calls the credentials' role may not make (PermissionDenied); what they'd show is unknown. */
  forbidden: string[];
}

/** A cluster's etcd membership, from the latest EtcdMemberList any control plane answered. */
export interface EtcdMembership {
  members: { id: string; hostname: string; isLearner: boolean }[];
}

/** A fresh observation: nothing known yet. */
export function emptyObservation(cluster: string, address: string, source: NodeObservation["source"]): NodeObservation {
  return {
    cluster,
    address,
    source,
    polledAt: null,
    reachable: false,
    lastSeen: null,
    lastError: null,
    hostname: null,
    role: "unknown",
    talosVersion: null,
    machineStatus: null,
    services: null,
    memory: null,
    load1: null,
    bootId: null,
    etcd: null,
    etcdError: null,
    forbidden: [],
  };
}

/** Below this share of available memory a node is flagged. */
const LOW_MEMORY_RATIO = 0.1;

const stageLabel: Record<NodeStage, string> = {
  booting: "Booting",
  installing: "Installing",
  maintenance: "In maintenance mode (no machine config)",
  running: "Running",
  rebooting: "Rebooting",
  shutting_down: "Shutting down",
  resetting: "Resetting",
  upgrading: "Upgrading",
  unknown: "In an unknown stage",
};

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/** A service counts as failing when Talos says Failed, or when it runs and its health check fails. */
export function isServiceFailing(s: ServiceObservation): boolean {
  return s.state === "Failed" || (s.state === "Running" && s.healthy === false);
}

/**
 * The problems of one node, most severe first. Messages carry no relative times ("5 min ago"):
 * they would change on every poll and go stale in clients; `lastSeen` is there for that.
 */
export function nodeProblems(o: NodeObservation): Problem[] {
  if (o.polledAt === null) return [];
  const out: Problem[] = [];
  if (!o.reachable) {
    const why = o.lastError ? `: ${o.lastError.message}` : "";
    out.push({ kind: "down", severity: "critical", message: `${o.lastSeen === null ? "Never reached" : "Unreachable"}${why}` });
    return out;
  }
  const stage = o.machineStatus?.stage;
  const running = stage === "running";
  if (o.services) {
    for (const s of o.services) {
      // Mid-boot health checks flap; only a running node's unhealthy services are news.
      if (s.state === "Failed" || (running && isServiceFailing(s))) {
        const msg = s.message ? `: ${s.message}` : "";
        out.push({ kind: "service_failing", severity: "critical", message: `Service ${s.id} is ${s.state === "Failed" ? "failed" : "unhealthy"}${msg}` });
      }
    }
  }
  if (o.role === "controlplane" && running) {
    if (o.etcd && o.etcd.errors.length > 0) {
      out.push({ kind: "etcd", severity: "critical", message: `etcd member unhealthy: ${o.etcd.errors.join("; ")}` });
    } else if (!o.etcd && o.etcdError) {
      out.push({ kind: "etcd", severity: "critical", message: `etcd is not answering: ${o.etcdError}` });
    } else if (o.etcd?.isLearner) {
      out.push({ kind: "etcd", severity: "warning", message: "etcd member is a learner (not voting yet)" });
    }
  }
  if (o.machineStatus && !running) {
    out.push({ kind: "stage", severity: "warning", message: stageLabel[o.machineStatus.stage] });
  } else if (o.machineStatus && running && !o.machineStatus.ready) {
    const unmet = o.machineStatus.unmetConditions.map((c) => `${c.name}: ${c.reason}`).join("; ");
    out.push({ kind: "not_ready", severity: "warning", message: unmet ? `Not ready (${unmet})` : "Not ready" });
  }
  if (o.memory && o.memory.totalKb > 0 && o.memory.availableKb / o.memory.totalKb < LOW_MEMORY_RATIO) {
    const pct = Math.round((100 * o.memory.availableKb) / o.memory.totalKb);
    out.push({ kind: "memory", severity: "warning", message: `Low memory: ${pct} % available` });
  }
  if (o.forbidden.length > 0) {
    out.push({ kind: "forbidden", severity: "warning", message: `The credentials' role may not read ${o.forbidden.join(", ")}; those fields are unknown` });
  }
  return out.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "critical" ? -1 : 1));
}

/**
 * One node's summary, as the API and the SSE stream serve it. A node that is down keeps its
 * identity (hostname, version, boot ID) but not its live readings: its last memory figure or
 * stage is history, not its state.
 */
export function summarizeNode(o: NodeObservation): NodeSummary {
  const ms = o.machineStatus;
  return {
    id: nodeId(o.cluster, o.address),
    cluster: o.cluster,
    address: o.address,
    source: o.source,
    hostname: o.hostname,
    role: o.role,
    reachable: o.reachable,
    stage: o.reachable && ms ? ms.stage : "unknown",
    ready: o.reachable && ms ? ms.ready : false,
    unmetConditions: o.reachable && ms ? ms.unmetConditions : [],
    talosVersion: o.talosVersion,
    kubernetesVersion: null,
    failingServices: o.reachable && o.services ? o.services.filter(isServiceFailing).map((s) => s.id) : [],
    lastSeen: iso(o.lastSeen),
    lastError: o.lastError,
    bootId: o.bootId,
    memory: o.reachable ? o.memory : null,
    load1: o.reachable ? o.load1 : null,
    problems: nodeProblems(o),
  };
}

/**
 * etcd quorum arithmetic: a cluster of `members` voters needs floor(members/2)+1 healthy ones.
 * `canTolerate` is how many more may fail before quorum is lost.
 */
export function etcdQuorum(members: number, healthy: number): { quorum: EtcdQuorum; canTolerate: number } {
  if (members <= 0) return { quorum: "lost", canTolerate: 0 };
  const need = Math.floor(members / 2) + 1;
  const h = Math.max(0, Math.min(healthy, members));
  if (h < need) return { quorum: "lost", canTolerate: 0 };
  return { quorum: h === members ? "ok" : "degraded", canTolerate: h - need };
}

/**
 * The etcd roll-up of one cluster. A voting member is healthy when its control plane answered
 * EtcdStatus this poll without errors. Membership comes from EtcdMemberList (kept from the last
 * answer, so a cluster whose control planes are all down shows quorum lost rather than nothing).
 */
export function clusterEtcd(membership: EtcdMembership | null, nodes: readonly NodeObservation[]): ClusterHealth["etcd"] {
  if (!membership || membership.members.length === 0) return null;
  const voters = membership.members.filter((m) => !m.isLearner);
  const statusById = new Map<string, { o: NodeObservation; e: EtcdObservation }>();
  for (const o of nodes) if (o.etcd && o.reachable) statusById.set(o.etcd.memberId, { o, e: o.etcd });
  const healthyIds = new Set<string>();
  for (const m of voters) {
    const s = statusById.get(m.id);
    if (s && s.e.errors.length === 0 && s.o.machineStatus?.stage === "running") healthyIds.add(m.id);
  }
  const { quorum, canTolerate } = etcdQuorum(voters.length, healthyIds.size);
  // The leader as the healthy members see it; a minority's stale view must not name one.
  const votes = new Map<string, number>();
  for (const id of healthyIds) {
    const leaderId = statusById.get(id)!.e.leaderId;
    if (leaderId && leaderId !== "0") votes.set(leaderId, (votes.get(leaderId) ?? 0) + 1);
  }
  let leader: string | null = null;
  if (quorum !== "lost") {
    const top = [...votes.entries()].sort((a, b) => b[1] - a[1])[0];
    if (top) {
      const member = membership.members.find((m) => m.id === top[0]);
      leader = member?.hostname || `member ${BigInt(top[0]).toString(16).padStart(16, "0")}`;
    }
  }
  return { members: voters.length, healthy: healthyIds.size, canTolerate, leader, quorum };
}

/** A node counts as healthy when it is reachable, ready and has no critical problem. */
export function isNodeHealthy(s: NodeSummary): boolean {
  return s.reachable && s.ready && !s.problems.some((p) => p.severity === "critical");
}

/** One cluster's roll-up from its nodes' summaries and observations. */
export function summarizeCluster(
  name: string,
  observations: readonly NodeObservation[],
  summaries: readonly NodeSummary[],
  membership: EtcdMembership | null,
): ClusterHealth {
  const polled = observations.filter((o) => o.polledAt !== null).length;
  const healthy = summaries.filter(isNodeHealthy).length;
  const unreachable = observations.filter((o) => o.polledAt !== null && !o.reachable).length;
  const etcd = clusterEtcd(membership, observations);
  const versions: Record<string, number> = {};
  for (const s of summaries) if (s.talosVersion) versions[s.talosVersion] = (versions[s.talosVersion] ?? 0) + 1;
  let status: ClusterHealth["status"];
  if (observations.length === 0 || polled === 0) status = "unknown";
  else if (etcd?.quorum === "lost" || unreachable === observations.length) status = "critical";
  else if (healthy < observations.length || (etcd && etcd.quorum !== "ok")) status = "degraded";
  else status = "healthy";
  return {
    name,
    status,
    nodes: { total: observations.length, healthy, unreachable },
    etcd,
    versions,
    upgrade: null,
  };
}
