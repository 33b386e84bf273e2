/**
 * An in-memory etcd of a few members behind the `EtcdTalos` calls, for unit tests of etcd care
 * and backups: each call is recorded (method, node) so tests can check order and targets.
 */
import { createHash } from "node:crypto";

import type { EtcdTalos } from "@/lib/server/etcd/view";
import { AppError } from "@/lib/server/platform/errors";

export interface FakeMember {
  id: string;
  hostname: string;
  address: string;
  leader?: boolean;
  down?: boolean;
  dbSize?: number;
  dbSizeInUse?: number;
}

export interface FakeEtcd {
  client: EtcdTalos;
  calls: { method: string; node: string }[];
  members: FakeMember[];
  /** Makes the defragment of these addresses fail. */
  failDefrag: Set<string>;
  /** Snapshot bytes per member address (chunks), failing with `error` before chunk `failAfter`. */
  snapshot: (address: string) => { chunks: Buffer[]; failAfter?: number; error?: Error };
  alarms: { memberId: string; alarm: "nospace" | "corrupt" }[];
}

export function fakeEtcd(members: FakeMember[]): FakeEtcd {
  const f: FakeEtcd = {
    calls: [],
    members,
    failDefrag: new Set(),
    snapshot: () => ({ chunks: [Buffer.from("x")] }),
    alarms: [],
    client: undefined as unknown as EtcdTalos,
  };
  const byAddress = (node: string | undefined) => {
    const m = f.members.find((x) => x.address === node);
    if (!m || m.down) throw new AppError("node_unreachable", `${node}: connection refused`, { node });
    return m;
  };
  const leaderId = () => f.members.find((m) => m.leader && !m.down)?.id ?? "0";
  f.client = {
    async etcdMemberList(node) {
      f.calls.push({ method: "EtcdMemberList", node: node! });
      byAddress(node);
      return { members: f.members.map((m) => ({ id: m.id, hostname: m.hostname, peerUrls: [`https://${m.address}:2380`], clientUrls: [`https://${m.address}:2379`], isLearner: false })), legacyMembers: [] };
    },
    async etcdStatus(node) {
      f.calls.push({ method: "EtcdStatus", node: node! });
      const m = byAddress(node);
      return { memberId: m.id, storageVersion: "3.6.0", protocolVersion: "3.6.0", dbSize: m.dbSize ?? 100, dbSizeInUse: m.dbSizeInUse ?? 40, leader: leaderId(), raftIndex: "1000", raftTerm: "3", raftAppliedIndex: "1000", errors: [], isLearner: false };
    },
    async etcdAlarmList(node) {
      f.calls.push({ method: "EtcdAlarmList", node: node! });
      byAddress(node);
      return f.alarms;
    },
    async etcdDefragment(node) {
      f.calls.push({ method: "EtcdDefragment", node: node! });
      const m = byAddress(node);
      if (f.failDefrag.has(m.address)) throw new AppError("node_timeout", "context deadline exceeded", { node });
      m.dbSize = m.dbSizeInUse ?? 40;
    },
    async etcdAlarmDisarm(node) {
      f.calls.push({ method: "EtcdAlarmDisarm", node: node! });
      byAddress(node);
      const was = f.alarms;
      f.alarms = [];
      return was;
    },
    async etcdForfeitLeadership(node) {
      f.calls.push({ method: "EtcdForfeitLeadership", node: node! });
      const m = byAddress(node);
      if (!m.leader) return { member: "" };
      m.leader = false;
      const next = f.members.find((x) => x !== m && !x.down)!;
      next.leader = true;
      return { member: next.hostname };
    },
    async etcdRemoveMemberById(node, id) {
      f.calls.push({ method: "EtcdRemoveMemberByID", node: node! });
      byAddress(node);
      f.members = f.members.filter((m) => m.id !== id);
    },
    etcdSnapshot(node, opts) {
      f.calls.push({ method: "EtcdSnapshot", node: node! });
      return (async function* () {
        byAddress(node);
        const s = f.snapshot(node!);
        let i = 0;
        for (const c of s.chunks) {
          if (opts?.signal?.aborted) return;
          if (s.failAfter !== undefined && i === s.failAfter) throw s.error ?? new Error("snapshot failed");
          yield c;
          i++;
        }
        if (s.failAfter !== undefined && i === s.failAfter) throw s.error ?? new Error("snapshot failed");
      })();
    },
  };
  return f;
}

/** Three healthy members; cp-a leads. Fresh objects each call (tests mutate them). */
export function three(): FakeMember[] {
  return [
    { id: "101", hostname: "cp-a", address: "10.0.0.1", leader: true, dbSize: 300, dbSizeInUse: 100 },
    { id: "102", hostname: "cp-b", address: "10.0.0.2", dbSize: 200, dbSizeInUse: 90 },
    { id: "103", hostname: "cp-c", address: "10.0.0.3", dbSize: 250, dbSizeInUse: 80 },
  ];
}

export const cps = (members: FakeMember[]) => members.map((m) => ({ address: m.address, hostname: m.hostname }));

/** `body` followed by its sha256, as etcd ends every snapshot stream. */
export function withEtcdChecksum(body: Buffer): Buffer {
  return Buffer.concat([body, createHash("sha256").update(body).digest()]);
}
