/**
 * Rollouts with several Minos replicas on one store: each rollout driven by the one replica
 * holding its lease, an old owner fenced out after a takeover, and actions written through any
 * replica reaching the driver. In the postgres project the two replicas are two pools on one
 * database; in the sqlite project they share the one store (a second in-process connection to
 * a SQLite file would block the event loop on its busy wait).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { redactConfig } from "@/lib/config/redact";
import type { ConfigDeps } from "@/lib/server/configs/deps";
import { RolloutRepository } from "@/lib/server/configs/rollouts/repo";
import { rolloutLease, RolloutRunner } from "@/lib/server/configs/rollouts/runner";
import { createRollout, getRollout, rolloutAction } from "@/lib/server/configs/rollouts/service";
import { openDb, type Db } from "@/lib/server/platform/db/db";
import { acquireLease } from "@/lib/server/platform/leases";
import { depsForFleet, startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";
import { testDb, testStore } from "@/test/db";
import { FakeClock } from "@/test/fake-clock";
import { waitFor, withHostname } from "@/test/talos/fleet";

const USER = "test user";
let t: ConfigTestFleet;
let other: ConfigDeps;
let stores: Db[] = [];
let workers: string[];
let cluster: string;
let workerYaml: string;
const runners: RolloutRunner[] = [];

const appliesSince = (since: number) => {
  const counts: Record<string, number> = {};
  for (const e of t.fleet.timeline()) if (e.event === "apply" && e.time >= since) counts[e.node] = (counts[e.node] ?? 0) + 1;
  return counts;
};
const runner = (deps: ConfigDeps, owner: string, extra: Partial<ConstructorParameters<typeof RolloutRunner>[0]> = {}) => {
  const r = new RolloutRunner({ deps, owner, pollMs: 50, healthTimeoutMs: 15_000, scanMs: 200, ...extra });
  runners.push(r);
  return r;
};
const leaseRow = async (id: string) => t.deps.db.selectFrom("leases").selectAll().where("name", "=", rolloutLease(id)).executeTakeFirstOrThrow();
const start = (name: string, concurrency: number, mode: "no-reboot" | "reboot" = "no-reboot") =>
  createRollout(t.deps, { yaml: withHostname(workerYaml, name), target: { cluster, role: "worker" }, mode, concurrency, continueOnFailure: false }, USER, { runner: null });

beforeAll(async () => {
  const url = process.env.MINOS_DATABASE_URL;
  if (testStore() === "postgres" && url) stores = [openDb(url), openDb(url)];
  const [a, b] = stores.length ? stores : [await testDb(), undefined];
  // Reboots long enough that a step is still in flight when the test acts on the rollout.
  t = await startConfigTestFleet({ firstAddress: "127.0.156.1", controlPlanes: 1, workers: 4, rebootSeconds: 0.8, bootSeconds: 0.3, readySeconds: 0.1 }, { db: a });
  other = b ? depsForFleet(t, { db: b, key: t.key }) : t.deps;
  workers = t.ids.slice(1);
  cluster = t.fleet.clusters[0]!;
  workerYaml = redactConfig(await t.runningConfig(workers[0]!));
});
afterAll(async () => {
  await Promise.all(runners.map((r) => r.stop()));
  await t?.stop();
  await Promise.all(stores.map((s) => s.destroy()));
});

describe("rollouts across replicas", () => {
  it("two replicas scanning one store: exactly one drives the rollout, every node applied once", async () => {
    const since = Date.now();
    const r = await start("w-one-driver", 2);
    // Not a takeover test: a long lease, so that an event-loop stall of the driver on a loaded
    // machine (past the default 6 s) cannot hand the rollout to the other replica.
    const steady = { leaseTtlMs: 30_000, leaseRenewMs: 2_000 };
    const [a, b] = [runner(t.deps, "replica-a", steady), runner(other, "replica-b", steady)];
    await Promise.all([a.resumeAll(), b.resumeAll(), a.resumeAll(), b.resumeAll()]);
    const driving = await waitFor(async () => {
      const d = [a, b].filter((x) => x.driving().includes(r.id));
      return d.length > 0 ? d : undefined;
    }, 10_000, 5);
    expect(driving).toHaveLength(1);
    await Promise.all([a.drain(), b.drain()]);
    expect(await getRollout(other, r.id)).toMatchObject({ state: "done" });
    expect(appliesSince(since)).toEqual(Object.fromEntries(workers.map((w) => [t.address(w), 1])));
    // Handed over once (from the replica that created it), never taken over, given back at the end.
    expect(await leaseRow(r.id)).toMatchObject({ owner: driving[0]!.owner, fence: 2, expires_at: 0 });
  });

  it("an old owner whose lease was taken writes nothing more and calls no node; the new owner finishes without applying twice", async () => {
    const since = Date.now();
    const r = await start("w-takeover", 1, "reboot");
    // Replica A's lease clock stands still, long in the past: A never renews (as if paused or
    // cut off), and to every other replica its lease has expired.
    const a = runner(t.deps, "replica-a", { leaseClock: new FakeClock(Date.now() - 60_000) });
    a.kick(r.id);
    await waitFor(async () => (await getRollout(other, r.id)).nodes[0]!.state === "waiting-healthy", 10_000, 10);

    // Another replica takes the expired lease (its own expiring at once, so B can take it next).
    expect(await acquireLease(other.db, rolloutLease(r.id), "replica-x", Date.now() - 30_000)).toMatchObject({ fence: 3 });
    const atTakeover = await getRollout(other, r.id);
    await a.idle(r.id);
    // A's loop ended at its next step (the node's "done" refused by the fence) without a write or another apply.
    expect(await getRollout(other, r.id)).toEqual(atTakeover);
    expect(appliesSince(since)).toEqual({ [t.address(workers[0]!)]: 1 });

    // Replica B's scan finds the lease expired, resumes the node mid-flight and finishes the rollout.
    const b = runner(other, "replica-b");
    await b.resumeAll();
    await b.drain();
    const done = await getRollout(other, r.id);
    expect(done.state).toBe("done");
    expect(done.nodes.every((n) => n.state === "done")).toBe(true);
    expect(appliesSince(since)).toEqual(Object.fromEntries(workers.map((w) => [t.address(w), 1])));
    // Fences: 1 the creator, 2 A, 3 the takeover, 4 B.
    expect(await leaseRow(r.id)).toMatchObject({ owner: "replica-b", fence: 4 });
  });

  it("a pause written through another replica's store pauses the driver; a resume there continues it", async () => {
    const since = Date.now();
    const r = await start("w-pause-elsewhere", 1, "reboot");
    const a = runner(t.deps, "replica-a");
    a.kick(r.id);
    await waitFor(async () => (await getRollout(other, r.id)).nodes.some((n) => n.state === "waiting-healthy"), 10_000, 10);
    // B has no part in the drive: the pause reaches A only through the database.
    const b = runner(other, "replica-b");
    await rolloutAction(other, r.id, "pause", USER, { runner: b });
    expect(b.driving()).toEqual([]);
    await a.idle(r.id);
    const paused = await getRollout(other, r.id);
    expect(paused.state).toBe("paused");
    // The node in flight finished; no other started.
    const states = paused.nodes.map((n) => n.state);
    expect(states.filter((s) => s === "done")).toHaveLength(Object.keys(appliesSince(since)).length);
    expect(states.filter((s) => s !== "done").every((s) => s === "preflight-ok")).toBe(true);
    expect(states.filter((s) => s === "preflight-ok").length).toBeGreaterThan(0);

    // Resumed through B, which now takes the lease A gave back when its loop ended.
    await rolloutAction(other, r.id, "resume", USER, { runner: b });
    await b.idle(r.id);
    expect(await getRollout(t.deps, r.id)).toMatchObject({ state: "done" });
    expect(appliesSince(since)).toEqual(Object.fromEntries(workers.map((w) => [t.address(w), 1])));
    expect(await leaseRow(r.id)).toMatchObject({ owner: "replica-b", fence: 3 });
  });

  it("a replica stopping cleanly gives its rollouts back at once; another resumes the node it left mid-flight", async () => {
    const since = Date.now();
    const r = await start("w-handover", 1, "reboot");
    const a = runner(t.deps, "replica-a");
    a.kick(r.id);
    await waitFor(async () => (await getRollout(other, r.id)).nodes[0]!.state === "waiting-healthy", 10_000, 10);
    await a.stop();
    // Released: no wait for the expiry.
    expect((await leaseRow(r.id)).expires_at).toBe(0);
    expect((await new RolloutRepository(other.db, other.box).idsToDrive())).toContain(r.id);
    const b = runner(other, "replica-b");
    await b.resumeAll();
    await b.drain();
    expect(await getRollout(other, r.id)).toMatchObject({ state: "done" });
    expect(appliesSince(since)).toEqual(Object.fromEntries(workers.map((w) => [t.address(w), 1])));
  });
});
