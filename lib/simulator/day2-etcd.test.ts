/**
 * The etcd day-2 RPCs on the simulator through Minos's TalosClient: EtcdSnapshot's deterministic
 * bytes (and its failure fault), EtcdDefragment, EtcdAlarmList/Disarm with the nospace fault,
 * EtcdRemoveMemberByID, with Talos's checks (CheckControlplane) and texts.
 */
import crypto from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { rejection, startTestFleet, type SimNodeInfo, type TestFleet, waitFor } from "@/test/talos/fleet";

import { parseSnapshotHeader, simulatedSnapshot } from "./etcd-ops";

let t: TestFleet;
let cps: SimNodeInfo[];
let worker: SimNodeInfo;

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.248.1", controlPlanes: 3, workers: 1, version: "v1.13.9" });
  cps = t.fleet.nodes.filter((n) => n.role === "controlplane");
  worker = t.fleet.nodes.find((n) => n.role === "worker")!;
});

afterAll(async () => {
  await t?.stop();
});

async function snapshot(address: string, role: "operator" | "admin" | "reader" = "operator"): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of t.clients[role].etcdSnapshot(address)) chunks.push(c);
  return Buffer.concat(chunks);
}

const sha = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");

describe("EtcdSnapshot", () => {
  it("streams MiB-sized bytes whose header names cluster, member and revision, recomputable to the same sha256", async () => {
    const bytes = await snapshot(cps[0]!.address);
    const h = parseSnapshotHeader(bytes)!;
    const { members } = await t.clients.reader.etcdMemberList(cps[0]!.address);
    expect(h.cluster).toBe(t.fleet.clusters[0]);
    expect(members.find((m) => m.hostname === cps[0]!.hostname)!.id).toBe(h.memberId);
    expect(bytes.length).toBe(h.size);
    expect(bytes.length).toBeGreaterThan(1_000_000);
    expect(sha(bytes)).toBe(sha(simulatedSnapshot(h.cluster, h.memberId, h.revision)));
    expect(t.fleet.timeline().some((e) => e.event === "etcd-snapshot" && e.node === cps[0]!.address)).toBe(true);
  });

  it("moves with the revision over time", async () => {
    const a = parseSnapshotHeader(await snapshot(cps[1]!.address))!;
    await waitFor(async () => {
      const b = parseSnapshotHeader(await snapshot(cps[1]!.address))!;
      return b.revision > a.revision;
    }, 3000, 200);
  });

  it("ends with etcd's sha256 trailer of everything before it", async () => {
    const bytes = await snapshot(cps[0]!.address);
    expect(bytes.subarray(-32).toString("hex")).toBe(sha(bytes.subarray(0, -32)));
  });

  it("stops reading etcd as soon as the client cancels the download", async () => {
    const t0 = Date.now();
    const ac = new AbortController();
    const gen = t.clients.operator.etcdSnapshot(cps[0]!.address, { signal: ac.signal });
    expect((await gen.next()).done).toBe(false);
    ac.abort();
    await gen.return(undefined);
    const cancelled = await waitFor(async () => t.fleet.timeline().find((e) => e.time >= t0 && e.event === "etcd-snapshot-cancelled" && e.node === cps[0]!.address), 2000);
    const [sent, total] = /after (\d+) of (\d+) bytes/.exec(cancelled.detail!)!.slice(1).map(Number) as [number, number];
    expect(sent).toBeLessThan(total);
  });

  it("is refused on a worker as Talos answers (Unimplemented)", async () => {
    const err = await rejection(snapshot(worker.address));
    expect(err.message).toContain("etcd snapshot is only available on control plane nodes");
  });

  it("fails, truncates or comes back empty under the etcd-snapshot-fails fault", async () => {
    const node = cps[2]!.address;
    try {
      t.fleet.setFault({ node, fault: "etcd-snapshot-fails" });
      expect((await rejection(snapshot(node))).message).toContain("failed reading etcd snapshot");
      t.fleet.setFault({ node, fault: "etcd-snapshot-fails", mode: "empty" });
      expect((await snapshot(node)).length).toBe(0);
      t.fleet.setFault({ node, fault: "etcd-snapshot-fails", mode: "truncated" });
      const cut = await snapshot(node);
      const h = parseSnapshotHeader(cut)!;
      expect(cut.length).toBe(Math.floor(h.size / 2));
    } finally {
      t.fleet.clearFaults(node);
    }
    expect(parseSnapshotHeader(await snapshot(node))!.size).toBeGreaterThan(0);
  });
});

describe("EtcdDefragment", () => {
  it("brings dbSize down to dbSizeInUse on that member only", async () => {
    const before = await Promise.all(cps.map((n) => t.clients.reader.etcdStatus(n.address)));
    expect(before[0]!.dbSize).toBeGreaterThan(before[0]!.dbSizeInUse);
    await t.clients.operator.etcdDefragment(cps[0]!.address);
    const after = await t.clients.reader.etcdStatus(cps[0]!.address);
    expect(after.dbSize).toBeLessThan(before[0]!.dbSize);
    expect(after.dbSize).toBeLessThanOrEqual(after.dbSizeInUse + 1000);
    const other = await t.clients.reader.etcdStatus(cps[1]!.address);
    expect(other.dbSize).toBeGreaterThanOrEqual(before[1]!.dbSize);
  });

  it("is refused on a worker and needs os:operator", async () => {
    expect((await rejection(t.clients.operator.etcdDefragment(worker.address))).message).toContain("etcd defragment is only available on control plane nodes");
    expect((await rejection(t.clients.reader.etcdDefragment(cps[0]!.address))).code).toBe("forbidden");
  });
});

describe("EtcdAlarmList / EtcdAlarmDisarm", () => {
  it("lists the NOSPACE alarm of the etcd-nospace fault from any member, and disarm clears it", async () => {
    expect(await t.clients.reader.etcdAlarmList(cps[0]!.address)).toEqual([]);
    t.fleet.setFault({ node: cps[1]!.address, fault: "etcd-nospace" });
    const { members } = await t.clients.reader.etcdMemberList(cps[0]!.address);
    const id = members.find((m) => m.hostname === cps[1]!.hostname)!.id;
    for (const n of cps) expect(await t.clients.reader.etcdAlarmList(n.address)).toEqual([{ memberId: id, alarm: "nospace" }]);
    expect((await t.clients.reader.etcdStatus(cps[0]!.address)).errors).toContain(`memberID:${id} alarm:NOSPACE `);
    expect((await rejection(t.clients.reader.etcdAlarmDisarm(cps[0]!.address))).code).toBe("forbidden");
    expect(await t.clients.operator.etcdAlarmDisarm(cps[0]!.address)).toEqual([{ memberId: id, alarm: "nospace" }]);
    expect(await t.clients.reader.etcdAlarmList(cps[1]!.address)).toEqual([]);
    expect(t.fleet.nodeStates().find((n) => n.address === cps[1]!.address)!.faults).toEqual([]);
  });
});

describe("EtcdRemoveMemberByID", () => {
  it("answers NotFound for an unknown member, as Talos maps etcd's ErrMemberNotFound", async () => {
    const err = await rejection(t.clients.admin.etcdRemoveMemberById(cps[0]!.address, "12345"));
    expect(err.code).toBe("not_found");
    expect(err.message).toBe("failed to remove member 12345: etcdserver: member not found");
  });

  it("needs os:admin", async () => {
    expect((await rejection(t.clients.operator.etcdRemoveMemberById(cps[0]!.address, "12345"))).code).toBe("forbidden");
  });

  it("removes the member: gone from the member list, and that node's etcd fails as Talos's would", async () => {
    const { members } = await t.clients.reader.etcdMemberList(cps[0]!.address);
    const victim = cps[2]!;
    const id = members.find((m) => m.hostname === victim.hostname)!.id;
    await t.clients.admin.etcdRemoveMemberById(cps[0]!.address, id);
    const after = await t.clients.reader.etcdMemberList(cps[0]!.address);
    expect(after.members.map((m) => m.hostname).sort()).toEqual([cps[0]!.hostname, cps[1]!.hostname].sort());
    const etcd = (await t.clients.reader.serviceList(victim.address)).find((s) => s.id === "etcd")!;
    expect(etcd.state).toBe("Failed");
    expect((await rejection(t.clients.reader.etcdStatus(victim.address))).message).toContain("permanently removed");
    // Its local client is created, the call fails: Talos's wrapper is the disarm one.
    expect((await rejection(t.clients.operator.etcdAlarmDisarm(victim.address))).message).toBe(
      "failed to disarm etcd alarm: etcdserver: the member has been permanently removed from the cluster",
    );
  });

  it("is refused without quorum (etcd's no leader)", async () => {
    const { members } = await t.clients.reader.etcdMemberList(cps[0]!.address);
    t.fleet.setFault({ node: cps[1]!.address, fault: "unhealthy", service: "etcd" });
    try {
      const id = members.find((m) => m.hostname === cps[1]!.hostname)!.id;
      const err = await rejection(t.clients.admin.etcdRemoveMemberById(cps[0]!.address, id));
      expect(err.message).toBe(`failed to remove member: failed to remove member ${id}: etcdserver: no leader`);
    } finally {
      t.fleet.clearFaults(cps[1]!.address);
    }
    expect((await t.clients.reader.etcdMemberList(cps[0]!.address)).members).toHaveLength(2);
  });
});
