/**
 * Two replicas' upgrade runners ("replica-a", "replica-b") on one store: in the postgres project
 * two connection pools on the file's database, in the sqlite project the same in-memory store.
 * Only the holder of a plan's lease drives it; an operator's pause, resume and cancel through the
 * other replica reach the driver; and an owner whose lease was taken over is fenced out: its
 * next write is refused, and after that it neither writes nor calls Talos.
 * (Killing the driver outright, so that another replica takes over at expiry, is
 * runner-restart.test.ts, with real processes.)
 */
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { upgradeRequestSchema, type UpgradePlan, type UpgradeRequest } from "@/lib/schemas/upgrades";
import { listAudit } from "@/lib/server/platform/audit";
import { openDb, type Db } from "@/lib/server/platform/db/db";
import { realClock, type Clock } from "@/lib/utils/clock";
import { testDb, testStore } from "@/test/db";
import { startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";
import { countEvents, maxConcurrentlyDown } from "@/test/upgrades/timeline";

import type { UpgradeTalos } from "./probes";
import { upgradeLeaseName, UpgradeRunner } from "./runner";

const CLUSTER = "sim-1";
let t: TestFleet;
let base: Db;
const pools: Db[] = [];
const runners: UpgradeRunner[] = [];

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.144.1", controlPlanes: 2, workers: 3, rebootSeconds: 0.3, bootSeconds: 0.2, readySeconds: 0.1, upgradeSeconds: 0.2 });
  base = await testDb();
}, 60_000);

afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

afterAll(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
  await t?.stop();
});

/** One replica's view of the store: its own pool on PostgreSQL, the shared store on SQLite. */
function replicaStore(): Db {
  const url = process.env.MINOS_DATABASE_URL;
  if (testStore() !== "postgres" || !url) return base;
  const db = openDb(url);
  pools.push(db);
  return db;
}

/** Every event the test orders: Talos calls and store writes of each replica, and the test's own marks. */
let seq = 0;
interface Recorded {
  talos: { seq: number; method: string; address: string }[];
  writes: { seq: number; kind: string }[];
}

/** A Kysely plugin that notes each INSERT, UPDATE and DELETE a replica sends. */
function writeRecorder(rec: Recorded): KyselyPlugin {
  return {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      if (["InsertQueryNode", "UpdateQueryNode", "DeleteQueryNode"].includes(args.node.kind)) rec.writes.push({ seq: ++seq, kind: args.node.kind });
      return args.node;
    },
    transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return Promise.resolve(args.result);
    },
  };
}

/** The simulator's admin client, noting each call; `gate` may hold a call back until it resolves. */
function recordingClient(rec: Recorded, gate?: (method: string, args: unknown[]) => Promise<void> | undefined): UpgradeTalos {
  return new Proxy(t.clients.admin, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        rec.talos.push({ seq: ++seq, method: String(prop), address: String(args[0]) });
        const held = gate?.(String(prop), args);
        const call = () => (value as (...a: unknown[]) => unknown).apply(target, args);
        return held ? held.then(call) : call();
      };
    },
  });
}

function replica(owner: string, opts: { clock?: Clock; lease?: { ttlMs: number; renewMs: number }; gate?: (method: string, args: unknown[]) => Promise<void> | undefined } = {}) {
  const rec: Recorded = { talos: [], writes: [] };
  const logs: { seq: number; text: string }[] = [];
  const db = replicaStore().withPlugin(writeRecorder(rec));
  const client = recordingClient(rec, opts.gate);
  const runner = new UpgradeRunner({
    db,
    owner,
    clock: opts.clock,
    lease: opts.lease,
    client: async () => client,
    clusterNodes: async () => t.contexts.admin.nodes,
    pollIntervalMs: 100,
    scanIntervalMs: 200,
    readTimeoutMs: 10_000,
    log: (m) => logs.push({ seq: ++seq, text: m }),
  });
  runners.push(runner);
  return { runner, rec, logs, db };
}

const request = (r: Partial<UpgradeRequest> & { version: string }) => upgradeRequestSchema.parse({ cluster: CLUSTER, ...r });

async function finished(runner: UpgradeRunner, id: string): Promise<UpgradePlan> {
  return waitFor(async () => {
    const p = await runner.getOrThrow(id);
    return ["succeeded", "failed", "cancelled"].includes(p.state) ? p : undefined;
  }, 60_000, 50);
}

async function lease(db: Db, planId: string) {
  return db.selectFrom("leases").select(["owner", "fence"]).where("name", "=", upgradeLeaseName(planId)).executeTakeFirst();
}

async function allBackRunning() {
  await waitFor(async () => t.fleet.nodeStates().every((n) => n.reachable && n.stage === "running" && n.ready), 10_000, 100);
}

const versions = () => new Set(t.fleet.nodeStates().map((n) => n.version));

describe("two replicas on one store", () => {
  it("only the lease holder drives a plan; pause, resume and cancel through the other replica reach it", async () => {
    await allBackRunning();
    // Not a takeover test: a long lease, so that an event-loop stall of a on a loaded machine
    // (past the default 6 s) cannot let b take the plan over.
    const a = replica("replica-a", { lease: { ttlMs: 30_000, renewMs: 2_000 } });
    const b = replica("replica-b");
    a.runner.start();
    b.runner.start();
    const plan = await a.runner.create(request({ version: "v1.14.0" }));
    expect(plan.state).toBe("running");
    // b looks for plans to drive, often: the plan is live but its lease is a's.
    for (let i = 0; i < 3; i++) await b.runner.scan();
    expect(b.runner.driving()).toEqual([]);
    expect(a.runner.driving()).toEqual([plan.id]);
    expect(await lease(b.db, plan.id)).toEqual({ owner: "replica-a", fence: 1 });

    await waitFor(async () => (await b.runner.getOrThrow(plan.id)).nodes.some((n) => n.state !== "pending"), 10_000, 20);
    const paused = await b.runner.control(plan.id, "pause", "bob");
    expect(paused).toMatchObject({ state: "paused", reason: "paused by bob" });
    // a finishes the node in flight and starts no other.
    await waitFor(async () => (await a.runner.getOrThrow(plan.id)).nodes.every((n) => ["pending", "done", "failed"].includes(n.state)), 20_000, 50);
    for (let i = 0; i < 3; i++) await a.runner.scan();
    await new Promise((r) => setTimeout(r, 500));
    const atPause = await a.runner.getOrThrow(plan.id);
    expect(atPause.nodes.filter((n) => n.state !== "pending").map((n) => n.state)).toEqual(["done"]);

    await b.runner.control(plan.id, "resume", "bob");
    await waitFor(async () => (await a.runner.getOrThrow(plan.id)).nodes.filter((n) => n.state === "done").length >= 2, 20_000, 20);
    expect((await b.runner.control(plan.id, "cancel", "bob")).state).toBe("cancelling");
    const done = await finished(b.runner, plan.id);
    expect(done.state).toBe("cancelled");
    expect(done.nodes.filter((n) => n.state === "skipped").length).toBeGreaterThan(0);
    expect(done.nodes.filter((n) => n.state !== "skipped").every((n) => n.state === "done" && n.attempts === 1)).toBe(true);

    // a did every step (b never called Talos), and let the lease go when the plan ended.
    expect(b.rec.talos).toEqual([]);
    await waitFor(async () => a.runner.driving().length === 0, 5_000, 20);
    expect(await lease(b.db, plan.id)).toEqual({ owner: "replica-a", fence: 1 });
    const audit = (await listAudit(b.db, { limit: 10 })).filter((e) => e.target === plan.id).map((e) => `${e.action} by ${e.actor}`);
    expect(audit).toEqual(["upgrade.cancelled by system", "upgrade.cancel by bob", "upgrade.resume by bob", "upgrade.pause by bob", "upgrade.start by local user"]);
  }, 90_000);

  it("an owner whose lease was taken over is refused at its next write, then neither writes nor calls Talos", async () => {
    await allBackRunning();
    // a stalls inside its first read of a node's boot identity (a long GC pause, a partition)
    // and renews its lease only every minute, so that it learns of the takeover from its next
    // write, not from a renewal...
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let stalled: ((address: string) => void) | undefined;
    const stalledOn = new Promise<string>((r) => (stalled = r));
    const a = replica("replica-a", {
      lease: { ttlMs: 180_000, renewMs: 60_000 },
      gate: (method, args) => {
        const driving = (args[1] as { signal?: AbortSignal } | undefined)?.signal !== undefined;
        if (method !== "bootId" || !driving || !stalled) return undefined;
        stalled(String(args[0]));
        stalled = undefined;
        return released;
      },
    });
    // ...long enough that, by b's clock, a's lease has expired.
    const ahead: Clock = { ...realClock, now: () => Date.now() + 600_000 };
    const b = replica("replica-b", { clock: ahead });
    a.runner.start();
    const from = t.fleet.timeline().length;
    const plan = await a.runner.create(request({ version: "v1.14.1" }));
    const address = await stalledOn;

    await b.runner.scan();
    expect(b.runner.driving()).toEqual([plan.id]);
    expect(await lease(a.db, plan.id)).toEqual({ owner: "replica-b", fence: 2 });
    const mark = ++seq;
    release();
    // a's next write is refused, and a stops driving the plan: nothing written since the
    // takeover, no Talos call since the refusal (reads of the node before it are harmless), and
    // nothing that changes a node since the takeover.
    await waitFor(async () => a.runner.driving().length === 0, 10_000, 20);
    const refused = a.logs.find((l) => l.seq > mark && /a write was refused \(fence 1 is stale\)/.test(l.text));
    expect(refused, a.logs.map((l) => l.text).join("\n")).toBeDefined();
    expect(a.rec.writes.filter((w) => w.seq > mark)).toEqual([]);
    expect(a.rec.talos.filter((c) => c.seq > refused!.seq)).toEqual([]);
    expect(a.rec.talos.filter((c) => c.seq > mark && !["version", "bootId", "systemStat"].includes(c.method))).toEqual([]);

    const done = await finished(b.runner, plan.id);
    expect(done.state, JSON.stringify(done.nodes.map((n) => [n.hostname, n.state, n.error]))).toBe("succeeded");
    expect(versions()).toEqual(new Set(["v1.14.1"]));
    // The node a stalled on was upgraded once, by b: one attempt, one start ("vX → vY: pulling …").
    const node = done.nodes.find((n) => n.address === address)!;
    expect(node.attempts).toBe(1);
    expect(node.messages.filter((m) => /→ v1\.14\.1: pulling /.test(m.text)), JSON.stringify(node.messages)).toHaveLength(1);
    const timeline = t.fleet.timeline().slice(from);
    expect([...countEvents(timeline, "installed").values()]).toEqual(Array(t.fleet.nodes.length).fill(1));
    expect(maxConcurrentlyDown(timeline, t.fleet.nodes).controlplane).toBe(1);
    // Nothing a wrote after the takeover: b's clock was ahead, so every later timestamp is b's.
    expect(a.rec.writes.length).toBeGreaterThan(0);
    expect(a.rec.talos.some((c) => c.method === "lifecycleUpgrade" || c.method === "reboot" || c.method === "imagePull")).toBe(false);
  }, 90_000);
});
