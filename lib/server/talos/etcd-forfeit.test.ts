/**
 * EtcdForfeitLeadership through the client against the simulator: what Talos answers (the new
 * leader's name, "" when the member did not lead), who may call it (admin), and where (control planes).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { rejection, startTestFleet, type SimNodeInfo, type TestFleet } from "@/test/talos/fleet";

let t: TestFleet;
let cps: SimNodeInfo[];
let worker: SimNodeInfo;

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.36.1", controlPlanes: 3, workers: 1, version: "v1.13.9" });
  cps = t.fleet.nodes.filter((n) => n.role === "controlplane");
  worker = t.fleet.nodes.find((n) => n.role === "worker")!;
});

afterAll(async () => {
  await t?.stop();
});

async function leaderId(): Promise<string> {
  return (await t.clients.reader.etcdStatus(cps[0]!.address)).leader;
}

async function memberIds(): Promise<Map<string, string>> {
  const { members } = await t.clients.reader.etcdMemberList(cps[0]!.address);
  return new Map(members.map((m) => [m.id, m.hostname]));
}

describe("EtcdForfeitLeadership", () => {
  it("moves leadership off the leader, names the new leader, and records it on the timeline", async () => {
    const ids = await memberIds();
    const before = ids.get(await leaderId())!;
    const leader = cps.find((n) => n.hostname === before)!;
    const { member } = await t.clients.admin.etcdForfeitLeadership(leader.address);
    expect(member).not.toBe("");
    expect(member).not.toBe(before);
    expect(ids.get(await leaderId())).toBe(member);
    const entry = t.fleet.timeline().find((e) => e.event === "forfeit-leadership");
    expect(entry).toMatchObject({ hostname: before, detail: `etcd leadership moved to ${member}` });
  });

  it("does nothing on a member that does not lead (empty member), as Talos answers", async () => {
    const ids = await memberIds();
    const current = ids.get(await leaderId())!;
    const follower = cps.find((n) => n.hostname !== current)!;
    expect(await t.clients.admin.etcdForfeitLeadership(follower.address)).toEqual({ member: "" });
    expect(ids.get(await leaderId())).toBe(current);
  });

  it("needs os:admin", async () => {
    const err = await rejection(t.clients.operator.etcdForfeitLeadership(cps[0]!.address));
    expect(err.code).toBe("forbidden");
  });

  it("is refused on a worker (Unimplemented, as machinehelper.CheckControlplane answers)", async () => {
    const err = await rejection(t.clients.admin.etcdForfeitLeadership(worker.address));
    expect(err.message).toMatch(/only available on control plane nodes/);
  });
});
