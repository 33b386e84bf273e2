import "server-only";

import { nodeId } from "@/lib/fleet/node-id";
import type { EtcdCluster, EtcdMemberView } from "@/lib/schemas/etcd";
import { errorText } from "@/lib/server/jobs";
import type { TalosClient } from "@/lib/server/talos";
import { publicFailure, toAppError } from "@/lib/server/talos/errors";
import { mapLimit } from "@/lib/utils/map-limit";

import { quorumOf } from "./quorum";

/** The Talos calls etcd care makes; `TalosClient` fits, tests may pass a fake. */
export type EtcdTalos = Pick<
  TalosClient,
  "etcdMemberList" | "etcdStatus" | "etcdAlarmList" | "etcdDefragment" | "etcdAlarmDisarm" | "etcdForfeitLeadership" | "etcdRemoveMemberById" | "etcdSnapshot"
>;

/** A control plane Minos knows of (the poller's view), to ask and to match members against. */
export interface ControlPlaneRef {
  address: string;
  hostname: string | null;
  /** False for a node only asked because its role is not known yet (it may be a worker). */
  confirmed?: boolean;
}

export interface ReadOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * A failed call as every viewer of the etcd page may see it: a transport failure reads the same
 * whatever the transport said (publicFailure: no "ECONNREFUSED <address>:50000" to map hosts and
 * ports with); the detail goes to the server log.
 */
function shownError(e: unknown, cluster: string, node: string): string {
  const raw = toAppError(e);
  const shown = publicFailure(raw).message;
  if (shown !== raw.message) console.warn(`[minos] etcd of ${cluster}: ${node}: ${errorText(e)}`);
  return shown;
}

/**
 * etcd as the cluster's control planes tell it: the member list from the first control plane that
 * answers, then each member's EtcdStatus asked of that member (through apid's `node` forwarding),
 * and the alarms. A member whose status fails is shown unreachable with the error, never dropped.
 */
export async function readEtcd(client: EtcdTalos, cluster: string, cps: ControlPlaneRef[], opts: ReadOptions = {}): Promise<EtcdCluster> {
  let lastError = cps.length === 0 ? "Minos knows no control plane of this cluster" : "no control plane answered";
  for (const cp of cps) {
    let list;
    try {
      list = await client.etcdMemberList(cp.address, opts);
    } catch (e) {
      lastError = `${cp.hostname ?? cp.address}: ${shownError(e, cluster, cp.address)}`;
      continue;
    }
    const alarms = await client.etcdAlarmList(cp.address, opts).catch(() => []);
    const members = await mapLimit(list.members, 4, async (m): Promise<EtcdMemberView> => {
      const address = memberAddress(m.clientUrls, m.hostname, cps);
      const base: EtcdMemberView = {
        id: m.id,
        hostname: m.hostname,
        node: address ? nodeId(cluster, address) : null,
        address,
        isLearner: m.isLearner,
        leader: false,
        reachable: false,
        dbSize: null,
        dbSizeInUse: null,
        raftIndex: null,
        raftTerm: null,
        errors: [],
        alarms: alarms.filter((a) => a.memberId === m.id && a.alarm !== "none").map((a) => a.alarm as "nospace" | "corrupt"),
      };
      if (!address) return { ...base, error: "Minos cannot tell this member's address (no client URL, no control plane of that hostname)" };
      try {
        const s = await client.etcdStatus(address, opts);
        return { ...base, reachable: true, leader: s.leader !== "0" && s.leader === s.memberId, dbSize: s.dbSize, dbSizeInUse: s.dbSizeInUse, raftIndex: s.raftIndex, raftTerm: s.raftTerm, errors: s.errors };
      } catch (e) {
        return { ...base, error: shownError(e, cluster, address) };
      }
    });
    const leaderId = members.find((m) => m.leader)?.id ?? null;
    const memberAddresses = new Set(members.map((m) => m.address));
    const memberNames = new Set(members.map((m) => m.hostname));
    const notMembers = cps.filter((c) => c.confirmed !== false && !memberAddresses.has(c.address) && !(c.hostname && memberNames.has(c.hostname))).map((c) => ({ node: nodeId(cluster, c.address), address: c.address, hostname: c.hostname }));
    return { cluster, members, leaderId, quorum: quorumOf(members, leaderId !== null), notMembers, askedNode: nodeId(cluster, cp.address) };
  }
  return { cluster, members: [], leaderId: null, quorum: quorumOf([], false), notMembers: [], askedNode: null, error: lastError };
}

/** A member's address: the host of its first client URL, else the control plane with its hostname. */
export function memberAddress(clientUrls: string[], hostname: string, cps: ControlPlaneRef[]): string | null {
  for (const u of clientUrls) {
    try {
      const host = new URL(u).hostname.replace(/^\[|\]$/g, "");
      if (host) return host;
    } catch {
      // not a URL; try the next one
    }
  }
  return cps.find((c) => c.hostname !== null && c.hostname === hostname)?.address ?? null;
}
