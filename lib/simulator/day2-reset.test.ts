/**
 * Reset and the powered-off states on the simulator through Minos's TalosClient: the Reset
 * handler's input checks (texts from v1alpha1_server.go), the reset sequence (drain, leave etcd,
 * wipe, then maintenance mode or halted), leaving etcd refused when it breaks quorum, maintenance
 * mode's answers, and the control API's power-on after a shutdown or a halting reset.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { rejection, startTestFleet, type SimNodeInfo, type TestFleet, waitFor } from "@/test/talos/fleet";
import type { TalosEvent } from "@/lib/server/talos/events";

let t: TestFleet;
let cps: SimNodeInfo[];
let workers: SimNodeInfo[];

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.249.1", controlPlanes: 3, workers: 3, version: "v1.13.9" });
  cps = t.fleet.nodes.filter((n) => n.role === "controlplane");
  workers = t.fleet.nodes.filter((n) => n.role === "worker");
});

afterAll(async () => {
  await t?.stop();
});

const row = (address: string) => t.fleet.nodeStates().find((n) => n.address === address)!;
const since = (time: number, address: string) => t.fleet.timeline().filter((e) => e.time >= time && e.node === address);

async function powerOn(address: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${t.fleet.controlUrl}/nodes/${address}/power-on`, { method: "POST" });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("Reset: the handler's input checks", () => {
  it("refuses user disks with the system-disk mode, an unknown or system disk, partitions with user-disks mode, an unknown label", async () => {
    const w = workers[0]!.address;
    const base = { graceful: false, reboot: false } as const;
    expect((await rejection(t.clients.admin.reset(w, { ...base, mode: "system-disk", userDisks: ["/dev/sdb"] }))).message).toContain(
      "reset failed: invalid input, wipe mode SYSTEM_DISK doesn't support UserDisksToWipe parameter",
    );
    expect((await rejection(t.clients.admin.reset(w, { ...base, mode: "all", userDisks: ["/dev/nvme9n1"] }))).message).toContain("reset user disk failed: device /dev/nvme9n1 wasn't found");
    expect((await rejection(t.clients.admin.reset(w, { ...base, mode: "all", userDisks: ["/dev/sda"] }))).message).toContain("reset user disk failed: device /dev/sda is the system disk");
    expect((await rejection(t.clients.admin.reset(w, { ...base, mode: "user-disks", systemPartitions: ["STATE"] }))).message).toContain(
      "reset failed: invalid input, wipe mode USER_DISKS doesn't support SystemPartitionsToWipe parameter",
    );
    expect((await rejection(t.clients.admin.reset(w, { ...base, mode: "all", systemPartitions: ["NOPE"] }))).message).toContain('failed to get volume status with label "NOPE"');
    expect(row(w).stage).toBe("running");
  });

  it("needs os:admin", async () => {
    expect((await rejection(t.clients.operator.reset(workers[0]!.address, { graceful: true, reboot: true, mode: "all" }))).code).toBe("forbidden");
  });
});

describe("Reset: the sequence", () => {
  it("graceful with reboot: drains, wipes, comes back in maintenance mode answering its errors; a config brings it back", async () => {
    const w = workers[0]!;
    const t0 = Date.now();
    const ac = new AbortController();
    const seen: TalosEvent[] = [];
    const events = (async () => {
      try {
        for await (const e of t.clients.reader.events(w.address, { tailEvents: 0, signal: ac.signal })) seen.push(e);
      } catch {
        // the stream breaks when the node reboots
      }
    })();
    await waitFor(async () => seen.length > 0, 2000);
    const { actorId } = await t.clients.admin.reset(w.address, { graceful: true, reboot: true, mode: "all" });
    expect(actorId).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(async () => row(w.address).stage === "maintenance" && row(w.address).reachable, 5000);
    ac.abort();
    await events;
    const phases = seen.filter((e) => e.type === "phase" && e.action === "start").map((e) => (e.type === "phase" ? e.phase : ""));
    expect(phases).toEqual(expect.arrayContaining(["drain", "cleanup", "dbus", "reset", "reboot"]));
    expect(phases).not.toContain("leave");
    expect(seen.some((e) => e.type === "sequence" && e.sequence === "reset" && e.action === "start" && e.actorId === actorId)).toBe(true);
    expect(since(t0, w.address).map((e) => e.event)).toEqual(expect.arrayContaining(["reset", "wiped"]));
    // Talos's own drain: cordoned by talos, its pods evicted.
    expect(since(t0, w.address).some((e) => e.event === "cordon" && e.detail === "talos")).toBe(true);
    // Maintenance mode: no apid-backed APIs, Version and the resource API still answer.
    expect((await rejection(t.clients.reader.serviceList(w.address))).message).toContain("method ServiceList not implemented");
    await t.clients.reader.version(w.address);
    expect((await t.clients.reader.machineStatus(w.address)).stage).toBe("maintenance");
    // A config applied in maintenance mode installs and boots into it.
    const { yaml } = await t.clients.admin.machineConfig(workers[1]!.address);
    await t.clients.admin.applyConfiguration(w.address, { data: yaml, mode: "auto" });
    await waitFor(async () => row(w.address).stage === "running" && row(w.address).ready, 5000);
    expect((await t.clients.reader.serviceList(w.address)).find((s) => s.id === "kubelet")!.state).toBe("Running");
  });

  it("without reboot the node halts, and stays off until the control API powers it on", async () => {
    const w = workers[1]!;
    const bootId = row(w.address).bootId;
    await t.clients.admin.reset(w.address, { graceful: false, reboot: false, mode: "system-disk", systemPartitions: ["EPHEMERAL"] });
    await waitFor(async () => !row(w.address).reachable, 5000);
    expect((await rejection(t.clients.reader.version(w.address))).code).toBeDefined();
    expect((await powerOn(workers[2]!.address)).status).toBe(409);
    const on = await powerOn(w.address);
    expect(on.status).toBe(200);
    // Only EPHEMERAL was wiped: STATE (the config) survives, so it boots back into running.
    await waitFor(async () => row(w.address).stage === "running" && row(w.address).ready, 5000);
    expect(row(w.address).bootId).not.toBe(bootId);
  });

  it("a graceful control-plane reset leaves etcd first; refused by etcd when the rest would lose quorum", async () => {
    const [cp1, cp2, cp3] = cps as [SimNodeInfo, SimNodeInfo, SimNodeInfo];
    // With cp2 unhealthy, removing cp1 leaves cp2 + cp3 with one healthy member: no quorum.
    t.fleet.setFault({ node: cp2.address, fault: "unhealthy", service: "etcd" });
    const t0 = Date.now();
    const cp1Id = (await t.clients.reader.etcdMemberList(cp3.address)).members.find((m) => m.hostname === cp1.hostname)!.id;
    try {
      await t.clients.admin.reset(cp1.address, { graceful: true, reboot: true, mode: "all" });
      const failed = await waitFor(async () => since(t0, cp1.address).find((e) => e.event === "reset-failed"), 5000);
      // LeaveEtcd's wrapper around etcd.Client.RemoveMemberByMemberID's (the member id in decimal).
      const leave = `failed to leave cluster: failed to remove member ${cp1Id}: etcdserver: re-configuration failed due to not enough started members`;
      expect(failed.detail).toBe(leave);
      const ac = new AbortController();
      let stop: TalosEvent | undefined;
      for await (const e of t.clients.reader.events(cp1.address, { tailEvents: 100, signal: ac.signal })) {
        if (e.type === "sequence" && e.sequence === "reset" && e.action === "stop") {
          stop = e;
          break;
        }
      }
      ac.abort();
      expect(stop?.type === "sequence" && stop.error?.message).toBe(`error running phase 4 in reset sequence: task 1/1: failed, ${leave}`);
      await waitFor(async () => row(cp1.address).stage === "running", 2000);
      expect((await t.clients.reader.etcdMemberList(cp3.address)).members).toHaveLength(3);
    } finally {
      t.fleet.clearFaults(cp2.address);
    }
    // Healthy again: cp1 leaves etcd, is wiped, and comes back in maintenance mode.
    await t.clients.admin.reset(cp1.address, { graceful: true, reboot: true, mode: "all" });
    await waitFor(async () => row(cp1.address).stage === "maintenance", 5000);
    const before = (await t.clients.reader.etcdMemberList(cp3.address)).members;
    expect(before.map((m) => m.hostname).sort()).toEqual([cp2.hostname, cp3.hostname].sort());
    expect(since(t0, cp1.address).map((e) => e.event)).toContain("wiped");
    // Its config again: it boots and joins etcd as a new member.
    const { yaml } = await t.clients.admin.machineConfig(cp2.address);
    await t.clients.admin.applyConfiguration(cp1.address, { data: yaml, mode: "auto" });
    await waitFor(async () => row(cp1.address).stage === "running" && row(cp1.address).ready, 5000);
    const after = (await t.clients.reader.etcdMemberList(cp3.address)).members;
    expect(after.map((m) => m.hostname).sort()).toEqual(cps.map((c) => c.hostname).sort());
    expect(since(t0, cp1.address).some((e) => e.event === "etcd-join")).toBe(true);
  });

  it("a control plane reset without leaving stays an etcd member (down) until it joins again, as a new member", async () => {
    const [, cp2, cp3] = cps as [SimNodeInfo, SimNodeInfo, SimNodeInfo];
    const idOf = async (hostname: string) => (await t.clients.reader.etcdMemberList(cp3.address)).members.filter((m) => m.hostname === hostname).map((m) => m.id);
    const [oldId] = await idOf(cp2.hostname);
    await t.clients.admin.reset(cp2.address, { graceful: false, reboot: true, mode: "all" });
    await waitFor(async () => row(cp2.address).stage === "maintenance", 5000);
    expect(await idOf(cp2.hostname)).toEqual([oldId]);
    expect((await t.clients.reader.etcdStatus(cp3.address)).leader).not.toBe("0"); // 2 of 3 still hold quorum
    const { yaml } = await t.clients.admin.machineConfig(cp3.address);
    await t.clients.admin.applyConfiguration(cp2.address, { data: yaml, mode: "auto" });
    await waitFor(async () => row(cp2.address).stage === "running" && row(cp2.address).ready, 5000);
    const ids = await idOf(cp2.hostname);
    expect(ids).toHaveLength(1);
    expect(ids[0]).not.toBe(oldId);
    expect((await t.clients.reader.etcdMemberList(cp3.address)).members).toHaveLength(3);
  });
});

describe("Shutdown", () => {
  it("powers the node off for good; power-on boots it with a new boot id", async () => {
    const w = workers[2]!;
    const bootId = row(w.address).bootId;
    await t.clients.operator.shutdown(w.address, { force: true });
    await waitFor(async () => !row(w.address).reachable, 5000);
    // Still off a reboot's worth of time later.
    await new Promise((r) => setTimeout(r, 600));
    expect(row(w.address).reachable).toBe(false);
    expect((await powerOn(w.address)).status).toBe(200);
    await waitFor(async () => row(w.address).ready && row(w.address).bootId !== bootId, 5000);
  });

  it("power-on of an unknown node is 404", async () => {
    const res = await powerOn("nope");
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: "unknown_node" } });
  });
});
