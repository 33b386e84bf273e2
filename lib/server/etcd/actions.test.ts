import { describe, expect, it } from "vitest";

import { cps, fakeEtcd, three } from "@/test/etcd/fake-etcd";

import { defragment, disarm, forfeitLeadership, removeMember } from "./actions";
import type { EtcdMemberView } from "@/lib/schemas/etcd";

import { defragmentOrder, quorumOf } from "./quorum";
import { openSnapshot } from "./snapshot";
import { readEtcd } from "./view";

const target = (f: ReturnType<typeof fakeEtcd>) => ({ client: f.client, cluster: "prod", controlPlanes: cps(f.members) });

describe("etcd view", () => {
  it("shows every member with leader, sizes, raft numbers, alarms and a healthy quorum", async () => {
    const f = fakeEtcd(three());
    f.alarms = [{ memberId: "102", alarm: "nospace" }];
    const v = await readEtcd(f.client, "prod", cps(f.members));
    expect(v.leaderId).toBe("101");
    expect(v.askedNode).toBe("10.0.0.1@prod");
    expect(v.members.map((m) => [m.hostname, m.leader, m.dbSize, m.node, m.alarms])).toEqual([
      ["cp-a", true, 300, "10.0.0.1@prod", []],
      ["cp-b", false, 200, "10.0.0.2@prod", ["nospace"]],
      ["cp-c", false, 250, "10.0.0.3@prod", []],
    ]);
    expect(v.quorum).toMatchObject({ state: "healthy", voters: 3, healthy: 3, needed: 2, tolerates: 1 });
  });

  it("keeps an unreachable member (with its error) and calls the quorum degraded; two down is lost", async () => {
    const f = fakeEtcd(three());
    f.members[2]!.down = true;
    const v = await readEtcd(f.client, "prod", cps(f.members));
    expect(v.members[2]).toMatchObject({ hostname: "cp-c", reachable: false, error: "No answer from the Talos API" });
    expect(v.quorum).toMatchObject({ state: "degraded", healthy: 2, tolerates: 0, reason: expect.stringContaining("cp-c is not healthy") });
    f.members[1]!.down = true;
    const lost = await readEtcd(f.client, "prod", cps(f.members));
    expect(lost.quorum.state).toBe("lost");
  });

  it("says why when no control plane answers", async () => {
    const f = fakeEtcd(three());
    f.members.forEach((m) => (m.down = true));
    const v = await readEtcd(f.client, "prod", cps(f.members));
    expect(v.members).toEqual([]);
    // The transport's words stay in the server log; the view names the last control plane asked.
    expect(v.error).toBe("cp-c: No answer from the Talos API");
    expect(v.quorum.state).toBe("unknown");
  });
});

describe("etcd defragment", () => {
  it("defragments followers first, one at a time, and the leader last", async () => {
    const f = fakeEtcd(three());
    const r = await defragment(target(f));
    expect(f.calls.filter((c) => c.method === "EtcdDefragment").map((c) => c.node)).toEqual(["10.0.0.2", "10.0.0.3", "10.0.0.1"]);
    expect(r.steps.map((s) => [s.hostname, s.leader, s.state, s.dbSizeBefore, s.dbSizeAfter])).toEqual([
      ["cp-b", false, "done", 200, 90],
      ["cp-c", false, "done", 250, 80],
      ["cp-a", true, "done", 300, 100],
    ]);
  });

  it("is refused while quorum is degraded, before any member is touched", async () => {
    const f = fakeEtcd(three());
    f.members[1]!.down = true;
    await expect(defragment(target(f))).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("Refusing to defragment while quorum is degraded") });
    expect(f.calls.some((c) => c.method === "EtcdDefragment")).toBe(false);
  });

  it("stops at the first failure and leaves the members after it (the leader) alone", async () => {
    const f = fakeEtcd(three());
    f.failDefrag.add("10.0.0.2");
    const r = await defragment(target(f));
    expect(r.steps.map((s) => s.state)).toEqual(["failed", "skipped", "skipped"]);
    expect(f.calls.filter((c) => c.method === "EtcdDefragment").map((c) => c.node)).toEqual(["10.0.0.2"]);
  });

  it("stops when a member goes away between two defragments", async () => {
    const f = fakeEtcd(three());
    const client = { ...f.client, etcdDefragment: async (node: string | undefined) => {
      await f.client.etcdDefragment(node);
      f.members[2]!.down = true; // cp-c drops while cp-b was being defragmented
    } };
    const r = await defragment({ client, cluster: "prod", controlPlanes: cps(f.members) });
    expect(r.steps.map((s) => [s.hostname, s.state])).toEqual([["cp-b", "done"], ["cp-c", "skipped"], ["cp-a", "skipped"]]);
    expect(r.steps[1]!.error).toContain("quorum is degraded");
  });

  it("defragments one named member; an unknown one is a 404", async () => {
    const f = fakeEtcd(three());
    const r = await defragment(target(f), "101");
    expect(r.steps.map((s) => s.hostname)).toEqual(["cp-a"]);
    await expect(defragment(target(f), "999")).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("etcd disarm, forfeit, remove", () => {
  it("disarms the alarms through a healthy member", async () => {
    const f = fakeEtcd(three());
    f.alarms = [{ memberId: "103", alarm: "nospace" }];
    expect((await disarm(target(f))).disarmed).toEqual([{ memberId: "103", alarm: "nospace" }]);
    expect(f.alarms).toEqual([]);
  });

  it("forfeits only from the leader", async () => {
    const f = fakeEtcd(three());
    await expect(forfeitLeadership(target(f), "102")).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("does not lead; cp-a does") });
    expect((await forfeitLeadership(target(f), "101")).newLeader).toBe("cp-b");
  });

  it("removes a member through another one, and refuses when the rest would lose quorum", async () => {
    const f = fakeEtcd(three());
    const r = await removeMember(target(f), "103");
    expect(r).toMatchObject({ member: "103", hostname: "cp-c" });
    expect(f.calls.find((c) => c.method === "EtcdRemoveMemberByID")!.node).not.toBe("10.0.0.3");
    const g = fakeEtcd(three());
    g.members[1]!.down = true;
    await expect(removeMember(target(g), "103")).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("would leave 1 healthy of 2 voting members; etcd needs 2") });
  });
});

describe("etcd snapshot", () => {
  it("takes it from a healthy follower by default, and refuses an empty one", async () => {
    const f = fakeEtcd(three());
    const s = await openSnapshot(target(f));
    expect(s.member.hostname).toBe("cp-b");
    expect(s.first.toString()).toBe("x");
    f.snapshot = () => ({ chunks: [] });
    await expect(openSnapshot(target(f))).rejects.toMatchObject({ code: "internal", message: expect.stringContaining("sent no bytes") });
  });
});

describe("quorum", () => {
  const m = (id: string, o: Partial<EtcdMemberView> = {}): EtcdMemberView => ({ id, hostname: `cp-${id}`, node: null, address: `10.0.0.${id}`, isLearner: false, leader: false, reachable: true, dbSize: 1, dbSizeInUse: 1, raftIndex: "1", raftTerm: "1", errors: [], alarms: [], ...o });

  it("learners do not vote; a member with etcd errors is not healthy", () => {
    expect(quorumOf([m("1", { leader: true }), m("2"), m("3", { isLearner: true, reachable: false })], true)).toMatchObject({ state: "healthy", voters: 2, needed: 2, tolerates: 0 });
    expect(quorumOf([m("1", { leader: true }), m("2"), m("3", { errors: ["etcdserver: no leader"] })], true)).toMatchObject({ state: "degraded", healthy: 2 });
  });

  it("every member up but no leader known is lost quorum", () => {
    expect(quorumOf([m("1"), m("2"), m("3")], false)).toMatchObject({ state: "lost", reason: expect.stringContaining("no member knows a leader") });
  });

  it("defragment order puts the leader last, whatever the names", () => {
    expect(defragmentOrder([m("1", { hostname: "a", leader: true }), m("2", { hostname: "c" }), m("3", { hostname: "b" })]).map((x) => x.hostname)).toEqual(["b", "c", "a"]);
  });
});

