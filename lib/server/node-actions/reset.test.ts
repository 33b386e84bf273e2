/**
 * Node reset against the simulator, on a fleet of its own (a reset node stays wiped): a graceful
 * reset of a worker is drained by Talos (Minos does not cordon it) and reboots into maintenance
 * mode; a control plane's reset is refused by the quorum guard while another member is sick, and
 * an admin's override reaches Talos, whose own leave-etcd check then fails the reset (Talos's
 * text); a forced shutdown evicts nothing and stays off until powered on.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { runNodeAction } from "@/lib/server/node-actions";
import { listAudit } from "@/lib/server/platform/audit";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";
import { rejection, waitFor } from "@/test/talos/fleet";

const admin = { label: "user:ada", role: "admin" as const };
let t: ConfigTestFleet;

beforeAll(async () => {
  t = await startConfigTestFleet({ firstAddress: "127.0.243.1", controlPlanes: 3, workers: 2, podSeconds: 0.1 });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});
afterEach(() => {
  t.fleet.clearFaults();
});

const cps = () => t.fleet.nodes.filter((n) => n.role === "controlplane");
const workers = () => t.fleet.nodes.filter((n) => n.role === "worker");
const idOf = (n: { address: string }) => t.idOf(n.address);
const sinceNow = () => {
  const from = t.fleet.timeline().length;
  return () => t.fleet.timeline().slice(from);
};
const stageOf = async (address: string) => (await t.clients.admin.machineStatus(address, { timeoutMs: 1_000 }).catch(() => null))?.stage ?? null;

describe("reset", () => {
  it("graceful, with reboot: Talos drains the worker itself, wipes it, and it boots into maintenance mode", async () => {
    const w = workers()[0]!;
    const timeline = sinceNow();
    const r = await runNodeAction(t.deps, idOf(w), { kind: "reset", graceful: true, mode: "all", reboot: true, confirm: w.hostname }, { actor: admin });
    expect(r).toMatchObject({ action: "reset", hostname: w.hostname, role: "worker", message: `${w.hostname} is resetting (all, graceful); it then reboots into maintenance mode` });
    expect(r.steps).toContain("graceful: Talos cordons and drains the node before the wipe; Minos does not drain it twice");
    await waitFor(async () => ((await stageOf(w.address)) === "maintenance" ? true : undefined), 30_000, 100);
    const tl = timeline().filter((e) => e.hostname === w.hostname);
    const reset = tl.findIndex((e) => e.event === "reset");
    expect(reset).toBeGreaterThanOrEqual(0);
    expect(tl.findIndex((e) => e.event === "wiped")).toBeGreaterThan(reset);
    // Drained once, by Talos (the simulator marks Talos's cordon "talos").
    expect(tl.filter((e) => e.event === "cordon").map((e) => e.detail)).toEqual(["talos"]);
    const entry = (await listAudit(t.deps.db, { limit: 10 })).find((e) => e.target === idOf(w))!;
    expect(entry).toMatchObject({ action: "node.reset", result: "ok", details: { graceful: true, mode: "all", reboot: true } });
    expect(JSON.stringify(entry.details)).not.toContain('"confirm"');
  }, 60_000);

  it("a control plane: refused by the quorum guard while another member is sick; an admin's override reaches Talos, whose leave-etcd check fails it", async () => {
    const [a, b] = cps();
    t.fleet.setFault({ node: b!.hostname, fault: "unhealthy", service: "etcd" });
    const timeline = sinceNow();
    const e = await rejection(runNodeAction(t.deps, idOf(a!), { kind: "reset", graceful: true, mode: "system-disk", confirm: a!.hostname }, { actor: admin }));
    expect(e.code).toBe("conflict");
    expect(e.message).toMatch(new RegExp(`^resetting ${a!.hostname} would break etcd quorum`));
    expect(timeline().some((x) => x.event === "reset")).toBe(false);

    const r = await runNodeAction(t.deps, idOf(a!), { kind: "reset", graceful: true, mode: "system-disk", confirm: a!.hostname, ignoreQuorum: true }, { actor: admin });
    expect(r.warnings.some((w) => w.startsWith("the quorum guard was overridden: resetting"))).toBe(true);
    const failed = await waitFor(async () => timeline().find((x) => x.hostname === a!.hostname && x.event === "reset-failed"), 30_000, 100);
    expect(failed.detail).toContain("not enough started members");
    expect(timeline().some((x) => x.hostname === a!.hostname && x.event === "wiped")).toBe(false);
  }, 60_000);
});

describe("shutdown", () => {
  it("forced: no evictions by anyone (Talos only cordons, as its controller does on shutting down); off until powered on", async () => {
    const w = workers()[1]!;
    const timeline = sinceNow();
    const r = await runNodeAction(t.deps, idOf(w), { kind: "shutdown", force: true }, { actor: admin });
    expect(r.steps).toContain("force: Talos skips its drain (it still cordons the node as it shuts down), the pods go down with it");
    await waitFor(async () => ((await stageOf(w.address)) === null ? true : undefined), 30_000, 100);
    const mine = timeline().filter((e) => e.hostname === w.hostname);
    expect(mine.filter((e) => e.event === "evict")).toEqual([]);
    expect(mine.filter((e) => e.event === "cordon").map((e) => e.detail)).toEqual(["talos"]);
    expect(t.fleet.powerOn(w.hostname)).toBe(true);
    await waitFor(async () => ((await stageOf(w.address)) === "running" ? true : undefined), 30_000, 100);
  }, 60_000);
});
