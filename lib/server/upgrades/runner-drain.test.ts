/**
 * The drain inside Talos upgrades, with the Talos side on the simulator and a scripted drainer
 * (the Kubernetes side is lib/server/kubernetes's, tested against the simulator's API there and
 * in runner-drain-sim.test.ts): the order cordon → drain → reboot → uncordon on every node, at
 * most a batch cordoned at once, a blocked drain that waits for a person and each answer to it,
 * and Kubernetes out of reach under both policies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { DrainResult } from "@/lib/schemas/kubernetes";
import { upgradeRequestSchema, type UpgradePlan, type UpgradeRequest } from "@/lib/schemas/upgrades";
import type { KubeAccess, KubeApi, NodeDrainer, NodeRef } from "@/lib/server/kubernetes/types";
import { listAudit } from "@/lib/server/platform/audit";
import type { Db } from "@/lib/server/platform/db/db";
import type { TalosClient } from "@/lib/server/talos";
import { testDb } from "@/test/db";
import { rejection, startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";

import { UpgradeRunner } from "./runner";

let t: TestFleet;
let db: Db;
let runner: UpgradeRunner;
const CLUSTER = "sim-1";

/** One ordered log of what the runner asked of Talos (reboot, forfeit) and of Kubernetes. */
const log: string[] = [];
const cordoned = new Set<string>();
let maxCordoned = 0;
/** Hostnames whose drain is blocked by a PDB until a person forces it. */
const pinned = new Set<string>();
/** Hostnames whose drain hangs until the runner stops (a restart mid-drain). */
const hanging = new Set<string>();
/** Hostnames whose drain waits for the test to let it finish (a cancel that comes mid-drain). */
const gates = new Map<string, Promise<void>>();
let access: KubeAccess = { ok: true, api: {} as KubeApi, source: "talos" };

const name = (ref: NodeRef) => ref.hostname ?? ref.address;

const drainer: NodeDrainer = {
  async cordon(ref) {
    log.push(`cordon ${name(ref)}`);
    const changed = !cordoned.has(name(ref));
    cordoned.add(name(ref));
    maxCordoned = Math.max(maxCordoned, cordoned.size);
    return { node: ref.address, nodeName: name(ref), unschedulable: true, changed };
  },
  async drain(ref, policy, opts): Promise<DrainResult> {
    log.push(`drain ${name(ref)} ${policy.onTimeout}`);
    if (hanging.has(name(ref))) {
      // Evicting for a long time, until the runner stops under it.
      await new Promise<void>((resolve) => (opts?.signal?.aborted ? resolve() : opts?.signal?.addEventListener("abort", () => resolve(), { once: true })));
      throw new Error("the runner stopped mid-drain");
    }
    await gates.get(name(ref));
    const base = { node: ref.address, nodeName: name(ref), evicted: [`default/web-${name(ref)}`], forced: [], ignored: [], blocking: [], seconds: 1 };
    if (!pinned.has(name(ref))) return { ...base, outcome: "drained" };
    const pod = { namespace: "default", name: `pinned-${name(ref)}-0`, pdbs: [`default/pinned-${name(ref)}`], reason: "Cannot evict pod as it would violate the pod's disruption budget." };
    if (policy.onTimeout === "force") return { ...base, outcome: "forced", forced: [`default/${pod.name}`] };
    return { ...base, evicted: [], outcome: "blocked", blocking: [pod] };
  },
  async uncordon(ref, opts) {
    log.push(`uncordon ${name(ref)}${opts?.onlyIfMinos ? "" : " (not onlyIfMinos!)"}`);
    const changed = cordoned.delete(name(ref));
    return { node: ref.address, nodeName: name(ref), unschedulable: false, changed };
  },
};

/** The admin client, noting reboots and leadership forfeits in the same log. */
function recording(client: TalosClient): TalosClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const host = t.fleet.nodes.find((n) => n.address === args[0])?.hostname;
        if (prop === "reboot" || prop === "etcdForfeitLeadership") log.push(`${String(prop)} ${host}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.161.1", controlPlanes: 3, workers: 3, version: "v1.13.9", rebootSeconds: 0.3, bootSeconds: 0.2, readySeconds: 0.1, upgradeSeconds: 0.2 });
  db = await testDb();
  const client = recording(t.clients.admin);
  runner = new UpgradeRunner({
    db,
    client: async () => client,
    clusterNodes: async () => t.contexts.admin.nodes,
    kubernetes: { access: { forCluster: async () => access }, drainer },
    pollIntervalMs: 100,
    readTimeoutMs: 10_000,
    log: () => {},
  });
  runner.start();
}, 60_000);

afterAll(async () => {
  await runner?.stop();
  await t?.stop();
});

const request = (r: Partial<UpgradeRequest> & { version: string }) => upgradeRequestSchema.parse({ cluster: CLUSTER, ...r });

async function until(id: string, ok: (p: UpgradePlan) => boolean, timeoutMs = 60_000): Promise<UpgradePlan> {
  return waitFor(async () => {
    const p = await runner.getOrThrow(id);
    return ok(p) ? p : undefined;
  }, timeoutMs, 100);
}
const finished = (id: string) => until(id, (p) => ["succeeded", "failed", "cancelled"].includes(p.state));

function reset() {
  log.length = 0;
  maxCordoned = 0;
  pinned.clear();
  hanging.clear();
  gates.clear();
  access = { ok: true, api: {} as KubeApi, source: "talos" };
}

const hostnames = () => t.fleet.nodes.map((n) => n.hostname);
const isCp = (h: string) => t.fleet.nodes.find((n) => n.hostname === h)!.role === "controlplane";

describe("upgrades drain every node around its reboot", () => {
  it("cordon → drain → (forfeit) → reboot → uncordon per node; at most a batch cordoned at once", async () => {
    reset();
    const plan = await runner.create(request({ version: "v1.14.0", strategy: { maxParallelWorkers: 2 } }));
    const cp = plan.nodes.find((n) => n.role === "controlplane")!;
    expect(cp.steps).toEqual([
      `pull ${plan.image}`,
      "install (LifecycleService/Upgrade)",
      "cordon + drain (300 s, halt)",
      expect.stringMatching(/^forfeit etcd leadership/),
      "reboot (default)",
      "health gate (600 s)",
      "uncordon",
    ]);
    const done = await finished(plan.id);
    expect(done.state).toBe("succeeded");
    for (const h of hostnames()) {
      const mine = log.filter((l) => l.endsWith(` ${h}`) || l.includes(` ${h} `)).map((l) => l.split(" ")[0]);
      expect(mine, h).toEqual(isCp(h) ? ["cordon", "drain", "etcdForfeitLeadership", "reboot", "uncordon"] : ["cordon", "drain", "reboot", "uncordon"]);
    }
    // Control planes one at a time, workers two by two: never more cordoned than that.
    expect(maxCordoned).toBe(2);
    expect(cordoned.size).toBe(0);
    expect(done.nodes.every((n) => n.drain?.phase === "uncordoned")).toBe(true);
  }, 90_000);

  it("a blocked drain halts at that node naming the PDB; nothing is forced until a person says so", async () => {
    reset();
    const worker = t.fleet.nodes.filter((n) => n.role === "worker").sort((a, b) => a.hostname.localeCompare(b.hostname))[0]!;
    pinned.add(worker.hostname);
    const plan = await runner.create(request({ version: "v1.14.1" }));
    const nodeId = plan.nodes.find((n) => n.hostname === worker.hostname)!.id;
    const blocked = await until(plan.id, (p) => p.nodes.some((n) => n.state === "drain-blocked"));
    expect(blocked.state).toBe("running");
    expect(blocked.reason).toContain(`PDB default/pinned-${worker.hostname}`);
    const row = blocked.nodes.find((n) => n.id === nodeId)!;
    expect(row.drain).toMatchObject({ phase: "blocked", blocking: [{ name: `pinned-${worker.hostname}-0`, pdbs: [`default/pinned-${worker.hostname}`] }] });
    // Still waiting after a while: no reboot, nothing forced, no other worker started.
    await new Promise((r) => setTimeout(r, 500));
    expect(log).not.toContain(`reboot ${worker.hostname}`);
    expect(log.filter((l) => l.startsWith("drain") && l.endsWith("force"))).toEqual([]);
    expect((await runner.getOrThrow(plan.id)).nodes.filter((n) => n.role === "worker" && n.state !== "pending").map((n) => n.id)).toEqual([nodeId]);

    // A retry blocks again; a force goes on.
    await runner.drainAction(plan.id, nodeId, "retry-drain", "user:ops");
    await until(plan.id, (p) => p.nodes.find((n) => n.id === nodeId)!.state === "drain-blocked" && log.filter((l) => l === `drain ${worker.hostname} halt`).length === 2);
    const forced = await runner.drainAction(plan.id, worker.address, "force-drain", "user:ops");
    expect(forced.reason).toBeNull();
    const done = await finished(plan.id);
    expect(done.state).toBe("succeeded");
    const mine = done.nodes.find((n) => n.id === nodeId)!;
    expect(mine.messages.map((m) => m.text)).toEqual(expect.arrayContaining([expect.stringMatching(/^forced by a person: .*deleted 1: default\/pinned-/)]));
    // The answers are not resumes: one attempt, no "Minos resumed" on the node.
    expect(mine.attempts).toBe(1);
    expect(mine.messages.map((m) => m.text)).not.toContainEqual(expect.stringMatching(/Minos resumed/));
    expect(log.indexOf(`drain ${worker.hostname} force`)).toBeLessThan(log.indexOf(`reboot ${worker.hostname}`));
    const audit = (await listAudit(db, { limit: 20 })).filter((e) => e.target === plan.id).map((e) => `${e.action} ${e.actor}`);
    expect(audit).toEqual(expect.arrayContaining(["upgrade.retry-drain user:ops", "upgrade.force-drain user:ops"]));
    // Answering a drain that does not wait is refused.
    expect((await rejection(runner.drainAction(plan.id, nodeId, "skip-drain"))).code).toBe("conflict");
  }, 90_000);

  it("Kubernetes out of reach: halt waits for a person (skip goes on, cancel leaves it); force skips the drain and says so", async () => {
    reset();
    access = { ok: false, access: "unreachable", message: "the API server did not answer" };
    const halted = await runner.create(request({ version: "v1.14.2" }));
    const waiting = await until(halted.id, (p) => p.nodes.some((n) => n.state === "drain-blocked"));
    const first = waiting.nodes.find((n) => n.state === "drain-blocked")!;
    expect(waiting.reason).toMatch(/Kubernetes cannot be asked \(the API server did not answer\)/);
    expect(log).toEqual([]);
    // Skip: this node reboots with its pods; the next one waits again.
    await runner.drainAction(halted.id, first.id, "skip-drain", "user:ops");
    const second = await until(halted.id, (p) => p.nodes.some((n) => n.state === "drain-blocked" && n.id !== first.id));
    const skipped = second.nodes.find((n) => n.id === first.id)!;
    expect(skipped.state).toBe("done");
    expect(skipped.drain?.message).toMatch(/skipped by a person/);
    expect(log).toEqual([expect.stringMatching(/^etcdForfeitLeadership /), `reboot ${first.hostname}`]);
    // A cancel leaves the waiting node installed but not rebooted.
    await runner.control(halted.id, "cancel", "user:ops");
    const cancelled = await finished(halted.id);
    expect(cancelled.state).toBe("cancelled");
    const waited = cancelled.nodes.find((n) => n.state !== "done" && n.state !== "pending" && n.batch === 1);
    expect(waited?.state).toBe("skipped");
    expect(waited?.messages.at(-1)?.text).toMatch(/^cancelled while its drain waited for a person: not rebooted/);
    expect(log.filter((l) => l.startsWith("reboot"))).toHaveLength(1);

    const forced = await runner.create(request({ version: "v1.14.2", strategy: { drain: { onTimeout: "force" } } }));
    const done = await finished(forced.id);
    expect(done.state).toBe("succeeded");
    // The control plane upgraded before the cancel is already on the target: nothing to drain there.
    const upgraded = done.nodes.filter((n) => !n.alreadyOnTarget);
    expect(upgraded.length).toBe(5);
    for (const n of upgraded) expect(n.drain?.message).toMatch(/drain skipped \(onTimeout: force\)/);
    expect(log.filter((l) => !l.startsWith("reboot") && !l.startsWith("etcdForfeit"))).toEqual([]);
  }, 120_000);

  it("a cancel that comes while a drain still runs: the drained node is uncordoned and skipped, never rebooted", async () => {
    reset();
    const worker = t.fleet.nodes.filter((n) => n.role === "worker").sort((a, b) => a.hostname.localeCompare(b.hostname))[1]!;
    let release!: () => void;
    gates.set(worker.hostname, new Promise<void>((r) => (release = r)));
    const plan = await runner.create(request({ version: "v1.14.4", nodes: [worker.address] }));
    await waitFor(async () => log.includes(`drain ${worker.hostname} halt`) || undefined, 30_000, 50);
    await runner.control(plan.id, "cancel", "user:ops");
    release();
    const done = await finished(plan.id);
    expect(done.state).toBe("cancelled");
    const mine = done.nodes[0]!;
    expect(mine.state).toBe("skipped");
    expect(mine.messages.at(-1)?.text).toMatch(/^cancelled while its drain ran: not rebooted.*; uncordoned /);
    expect(log.filter((l) => l.includes(worker.hostname)).map((l) => l.split(" ")[0])).toEqual(["cordon", "drain", "uncordon"]);
    expect(cordoned.size).toBe(0);
  }, 60_000);

  it("a restart mid-drain resumes it: drained again, uncordoned after the reboot, never rebooted undrained", async () => {
    reset();
    const worker = t.fleet.nodes.filter((n) => n.role === "worker").sort((a, b) => a.hostname.localeCompare(b.hostname))[0]!;
    hanging.add(worker.hostname);
    const store = await testDb();
    const client = recording(t.clients.admin);
    const make = (owner: string) =>
      new UpgradeRunner({ db: store, owner, client: async () => client, clusterNodes: async () => t.contexts.admin.nodes, kubernetes: { access: { forCluster: async () => access }, drainer }, pollIntervalMs: 100, readTimeoutMs: 10_000, log: () => {} });
    const first = make("replica-a");
    const plan = await first.create(request({ version: "v1.14.3", nodes: [worker.address] }));
    await waitFor(async () => log.includes(`drain ${worker.hostname} halt`) || undefined, 30_000, 50);
    await first.stop();
    const stopped = (await first.getOrThrow(plan.id)).nodes[0]!;
    expect(stopped.state).toBe("draining");
    expect(stopped.drain).toMatchObject({ phase: "draining", cordoned: true });

    hanging.clear();
    const second = make("replica-b");
    second.start();
    try {
      const done = await waitFor(async () => {
        const p = await second.getOrThrow(plan.id);
        return p.state === "succeeded" || p.state === "failed" ? p : undefined;
      }, 60_000, 100);
      expect(done.state).toBe("succeeded");
      expect(done.nodes[0]!.attempts).toBe(2);
      expect(done.nodes[0]!.drain?.phase).toBe("uncordoned");
      const mine = log.filter((l) => l.includes(worker.hostname)).map((l) => l.split(" ")[0]);
      expect(mine).toEqual(["cordon", "drain", "cordon", "drain", "reboot", "uncordon"]);
      expect(cordoned.size).toBe(0);
    } finally {
      await second.stop();
    }
  }, 90_000);
});
