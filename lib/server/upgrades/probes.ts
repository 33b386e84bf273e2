import "server-only";

import { nodeId } from "@/lib/fleet/node-id";
import type { UpgradePlan } from "@/lib/schemas/upgrades";
import { bootIdentity, codeOf, errorText } from "@/lib/server/jobs";
import type { TalosClient } from "@/lib/server/talos";

import type { HealthFacts } from "./health";
import type { EtcdFacts, NodeFacts } from "./plan";
import { mapLimit } from "@/lib/utils/map-limit";

/** The Talos calls the upgrade runner makes; `TalosClient` fits, tests may pass a fake. */
export type UpgradeTalos = Pick<
  TalosClient,
  "version" | "hostname" | "services" | "machineStatus" | "bootId" | "systemStat" | "etcdMemberList" | "etcdStatus" | "imagePull" | "lifecycleUpgrade" | "reboot" | "upgradeLegacy" | "etcdForfeitLeadership" | "events"
>;

/** Deadline and stop signal of every read a probe makes. */
export interface ReadOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** What the planner needs of one node; an unreachable node is a fact too, not an error. */
export async function nodeFacts(client: UpgradeTalos, cluster: string, address: string, opts: ReadOptions): Promise<NodeFacts> {
  const id = nodeId(cluster, address);
  let version: string;
  try {
    version = (await client.version(address, opts)).tag;
  } catch (e) {
    return { id, address, hostname: null, role: null, version: null, reachable: false, error: errorText(e) };
  }
  const [hostname, role] = await Promise.all([
    client.hostname(address, opts).catch(() => null),
    client.services(address, opts).then(
      (s) => ("etcd" in s ? ("controlplane" as const) : ("worker" as const)),
      () => null,
    ),
  ]);
  return { id, address, hostname, role, version, reachable: true };
}

/** etcd as seen through the first control plane that answers (members, healthy ones, leader). */
export async function etcdFacts(client: UpgradeTalos, cps: NodeFacts[], opts: ReadOptions): Promise<EtcdFacts> {
  let lastError = "no control plane answered";
  for (const cp of cps) {
    try {
      const { members } = await client.etcdMemberList(cp.address, opts);
      const voting = members.filter((m) => !m.isLearner);
      const names = new Map(voting.map((m) => [m.id, m.hostname || m.id]));
      const statuses = await mapLimit(voting, 4, async (m) => {
        const host = memberHost(m.clientUrls) ?? cps.find((c) => c.hostname === m.hostname)?.address;
        if (!host) return null;
        return client.etcdStatus(host, opts).catch(() => null);
      });
      const healthy = voting.filter((_, i) => {
        const s = statuses[i];
        return s != null && s.errors.length === 0 && s.leader !== "0";
      });
      const leaderId = statuses.find((s) => s && s.leader !== "0")?.leader;
      return { members: voting.map((m) => names.get(m.id)!), healthy: healthy.map((m) => names.get(m.id)!), leader: leaderId ? (names.get(leaderId) ?? leaderId) : null };
    } catch (e) {
      lastError = errorText(e);
    }
  }
  return { members: [], healthy: [], leader: null, error: lastError };
}

/** One look at a node after its reboot, for the pure health gate (./health). */
export async function healthFacts(plan: UpgradePlan, client: UpgradeTalos, addr: string, role: "controlplane" | "worker", bootIdBefore: string | null, opts: ReadOptions): Promise<HealthFacts> {
  // Every read at once: a look after the node's "ready" event is then one round trip (two with
  // etcd), not three or four. While the node is not running, all but the status are dropped.
  const statusRead = client.machineStatus(addr, opts);
  const rest = Promise.all([
    client.version(addr, opts),
    bootIdentity(client, addr, { ...opts, like: bootIdBefore }),
    client.services(addr, opts),
    role === "controlplane" ? etcdFacts(client, controlPlanesFirst(plan, addr), opts) : null,
  ]);
  rest.catch(() => undefined);
  let status;
  try {
    status = await statusRead;
  } catch (e) {
    return { reachable: false, error: codeOf(e) ?? errorText(e) };
  }
  const facts: HealthFacts = { reachable: true, stage: status.stage, ready: status.ready, unmetConditions: status.unmetConditions };
  if (status.stage !== "running") return facts;
  try {
    const [version, bootId, services, etcd] = await rest;
    facts.version = version.tag;
    facts.bootId = bootId;
    facts.unhealthyServices = Object.entries(services)
      .filter(([, s]) => s.running && !s.unknown && !s.healthy)
      .map(([name]) => name)
      .sort();
    if (etcd) facts.etcd = etcd.error ? { members: 0, healthy: 0, leader: false, error: etcd.error } : { members: etcd.members.length, healthy: etcd.healthy.length, leader: etcd.leader !== null };
  } catch (e) {
    return { reachable: false, error: codeOf(e) ?? errorText(e) };
  }
  return facts;
}

/** The plan's control planes, `addr` first (etcd is asked through the node being checked first). */
function controlPlanesFirst(plan: UpgradePlan, addr: string): NodeFacts[] {
  const cps = plan.nodes.filter((n) => n.role === "controlplane").map((n) => ({ id: n.id, address: n.address, hostname: n.hostname, role: n.role, version: null, reachable: true }));
  return [cps.find((c) => c.address === addr)!, ...cps.filter((c) => c.address !== addr)];
}

function memberHost(urls: string[]): string | undefined {
  for (const u of urls) {
    try {
      return new URL(u).hostname.replace(/^\[|\]$/g, "");
    } catch {
      // not a URL; try the next one
    }
  }
  return undefined;
}
