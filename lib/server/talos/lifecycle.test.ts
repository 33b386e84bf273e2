/**
 * Reboots, reconnection and upgrades against the simulator (fast timings: reboot 0.3 s, boot 0.2 s).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { SimNodeInfo } from "@/test/talos/fleet";

import type { UpgradeProgress } from "./upgrade";
import { rejection, startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";

let t: TestFleet;
let cp1: SimNodeInfo;
let cp2: SimNodeInfo;
let w1: SimNodeInfo;
let w2: SimNodeInfo;
let w3: SimNodeInfo;

const INSTALLER = (v: string) => `ghcr.io/siderolabs/installer:${v}`;

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.31.1", controlPlanes: 2, workers: 3, version: "v1.14.0" });
  const cps = t.fleet.nodes.filter((n) => n.role === "controlplane");
  const ws = t.fleet.nodes.filter((n) => n.role === "worker");
  [cp1, cp2] = [cps[0]!, cps[1]!];
  [w1, w2, w3] = [ws[0]!, ws[1]!, ws[2]!];
});

afterAll(async () => {
  await t?.stop();
});

/** Waits until the node answers with a new boot ID and MachineStatus running + ready. */
async function waitForReboot(node: string, oldBootId: string, timeoutMs = 8000): Promise<string> {
  const c = t.clients.reader;
  return waitFor(async () => {
    const id = await c.bootId(node, { timeoutMs: 1000 });
    if (id === oldBootId) return undefined;
    const st = await c.machineStatus(node, { timeoutMs: 1000 });
    return st.stage === "running" && st.ready ? id : undefined;
  }, timeoutMs);
}

describe("reboot", () => {
  it("an operator reboots a node; events follow the actor; calls work again afterwards", async () => {
    const before = await t.clients.reader.bootId(w1.address);
    const ac = new AbortController();
    const stages: string[] = [];
    const events = (async () => {
      try {
        for await (const e of t.clients.reader.events(w1.address, { signal: ac.signal })) {
          if (e.type === "machineStatus") stages.push(e.stage);
          if (e.type === "sequence" && e.sequence === "reboot") stages.push(`reboot:${e.action}`);
        }
      } catch (err) {
        // The stream drops when the node goes down (UNAVAILABLE): that is what talosctl sees too.
        stages.push(`error:${(err as { code?: string }).code}`);
      }
    })();
    await waitFor(async () => stages.length >= 0, 100); // let the stream open
    await new Promise((r) => setTimeout(r, 100));
    const { actorId } = await t.clients.operator.reboot(w1.address);
    expect(actorId).not.toBe("");
    const after = await waitForReboot(w1.address, before);
    expect(after).not.toBe(before);
    ac.abort();
    await events;
    expect(stages).toContain("rebooting");
    expect((await t.clients.reader.version(w1.address)).tag).toBe("v1.14.0");
  });

  it("a directly dialed node reconnects after its reboot", async () => {
    const direct = t.client("admin", { routing: "direct", resolveNode: (n) => ({ host: n, port: t.fleet.nodes.find((x) => x.address === n)!.port }) });
    const before = await direct.bootId(w2.address);
    await direct.reboot(w2.address);
    // While it is down, a call fails with node_unreachable (or succeeds if it is already back).
    const during = await direct.version(w2.address, { timeoutMs: 200 }).then(
      () => "ok",
      (e: { code?: string }) => e.code,
    );
    expect(["ok", "node_unreachable", "node_timeout"]).toContain(during);
    const after = await waitFor(async () => {
      const id = await direct.bootId(w2.address, { timeoutMs: 1000 });
      return id !== before ? id : undefined;
    }, 8000);
    expect(after).not.toBe(before);
    // The same cached channel, reconnected.
    expect((await direct.hostname(w2.address)).length).toBeGreaterThan(0);
  });

  it("a call right after the node is back succeeds within one read deadline", async () => {
    const direct = t.client("reader", { routing: "direct", resolveNode: (n) => ({ host: n, port: t.fleet.nodes.find((x) => x.address === n)!.port }) });
    await direct.version(w3.address);
    await t.clients.operator.reboot(w3.address);
    // Wait until the simulator says it is running again, then call on the old channel at once.
    await waitFor(async () => t.fleet.nodeStates().find((n) => n.address === w3.address)?.reachable === false, 2000, 10);
    await waitFor(async () => t.fleet.nodeStates().find((n) => n.address === w3.address)?.reachable === true, 8000, 10);
    await expect(direct.version(w3.address)).resolves.toMatchObject({ tag: "v1.14.0" });
  });

  it("with two endpoints, calls go through the second while the first control plane is down", async () => {
    const c = t.client("reader", {}, {
      endpoints: [cp1, cp2].map((n) => ({ host: n.address, port: n.port, address: `${n.address}:${n.port}` })),
    });
    expect(await c.hostname(w1.address)).toBe(w1.hostname);
    expect(c.endpoint.host).toBe(cp1.address);
    const before = await c.bootId(cp1.address);
    await t.clients.operator.reboot(cp1.address);
    await waitFor(async () => t.fleet.nodeStates().find((n) => n.address === cp1.address)?.reachable === false, 2000, 10);
    const t0 = Date.now();
    expect(await c.hostname(w1.address, { timeoutMs: 2000 })).toBe(w1.hostname);
    expect(Date.now() - t0).toBeLessThan(1500); // failed over, did not wait out the 2 s deadline on cp1
    expect(c.endpoint.host).toBe(cp2.address);
    await waitForReboot(cp1.address, before);
  });
});

describe("upgrade", () => {
  it("≥ 1.13: Pull → LifecycleService/Upgrade → Reboot, then the node runs the new version", async () => {
    const progress: UpgradeProgress[] = [];
    const before = await t.clients.reader.bootId(w1.address);
    const res = await t.clients.admin.upgrade(w1.address, { image: INSTALLER("v1.14.1"), onProgress: (p) => progress.push(p) });
    expect(res.path).toBe("lifecycle");
    expect(res.fromVersion).toBe("v1.14.0");
    expect(res.rebooted).toBe(true);
    expect(res.actorId).not.toBe("");
    expect(res.pulledImage).toBeTruthy();
    const steps = progress.map((p) => p.step);
    expect(steps[0]).toBe("version");
    expect(steps).toContain("pull");
    expect(steps).toContain("installed");
    expect(steps.at(-1)).toBe("reboot");
    await waitForReboot(w1.address, before);
    expect((await t.clients.reader.version(w1.address)).tag).toBe("v1.14.1");
  });

  it("an installer failure is an error carrying the exit code and its meaning", async () => {
    t.fleet.setFault({ node: w2.address, fault: "upgrade-fails" });
    try {
      const err = await rejection(t.clients.admin.upgrade(w2.address, { image: INSTALLER("v1.14.1") }));
      expect(err.message).toMatch(/installer exited with code 7 \(install failure\)/);
      expect(err.node).toBe(w2.address);
      expect((await t.clients.reader.version(w2.address)).tag).toBe("v1.14.0");
    } finally {
      t.fleet.clearFaults(w2.address);
    }
  });

  it("an operator may not upgrade (forbidden at the first admin-only step)", async () => {
    const err = await rejection(t.clients.operator.upgrade(w3.address, { image: INSTALLER("v1.14.1") }));
    expect(err.code).toBe("forbidden");
  });

  it("a staged upgrade takes the legacy path", async () => {
    const before = await t.clients.reader.bootId(w3.address);
    const res = await t.clients.admin.upgrade(w3.address, { image: INSTALLER("v1.14.1"), stage: true });
    expect(res.path).toBe("legacy");
    expect(res.ack).toBeTruthy();
    await waitForReboot(w3.address, before, 10_000);
  });

  it("rollback (admin) reboots into the previous version", async () => {
    // w1 was upgraded v1.14.0 → v1.14.1 above; a node never upgraded has nothing to roll back to.
    expect((await t.clients.reader.version(w1.address)).tag).toBe("v1.14.1");
    const before = await t.clients.reader.bootId(w1.address);
    await t.clients.admin.rollback(w1.address);
    await waitForReboot(w1.address, before);
    expect((await t.clients.reader.version(w1.address)).tag).toBe("v1.14.0");
    const err = await rejection(t.clients.admin.rollback(cp2.address));
    expect(err.code).toBe("conflict");
    expect(err.message).toMatch(/no previous installation/);
  });

  it("abort cancels an upgrade", async () => {
    const ac = new AbortController();
    ac.abort(new Error("cancelled by test"));
    await expect(t.clients.admin.upgrade(w2.address, { image: INSTALLER("v1.14.1"), signal: ac.signal })).rejects.toThrow("cancelled by test");
  });
});

describe("shutdown", () => {
  it("a reader may not; an operator shuts a node down and it stops answering", async () => {
    expect((await rejection(t.clients.reader.shutdown(w2.address))).code).toBe("forbidden");
    const { actorId } = await t.clients.operator.shutdown(w2.address);
    expect(actorId).not.toBe("");
    const err = await waitFor(
      () => t.clients.reader.version(w2.address, { timeoutMs: 500 }).then(
        () => undefined,
        (e: { code?: string }) => e,
      ),
      5000,
    );
    expect(err.code).toBe("node_unreachable");
  });
});

describe("legacy nodes", () => {
  let old: TestFleet;
  beforeAll(async () => {
    // One worker: the legacy upgrade's own drain (Talos's) finds nowhere to move pods under a PDB and
    // waits out its timeout, as real Talos does; a short one keeps the test about the upgrade.
    old = await startTestFleet({ firstAddress: "127.0.33.1", controlPlanes: 1, workers: 1, version: "v1.12.11", talosDrainSeconds: 1 });
  });
  afterAll(async () => {
    await old?.stop();
  });

  it("< 1.13: the legacy MachineService/Upgrade", async () => {
    const w = old.fleet.nodes.find((n) => n.role === "worker")!;
    const before = await old.clients.reader.bootId(w.address).catch(() => "");
    const res = await old.clients.admin.upgrade(w.address, { image: INSTALLER("v1.13.9") });
    expect(res.path).toBe("legacy");
    expect(res.fromVersion).toBe("v1.12.11");
    expect(res.ack).toMatch(/Upgrade request received/);
    await waitFor(async () => {
      const v = await old.clients.reader.version(w.address, { timeoutMs: 1000 });
      return v.tag === "v1.13.9";
    }, 10_000);
    if (before) expect(await old.clients.reader.bootId(w.address)).not.toBe(before);
  });
});
