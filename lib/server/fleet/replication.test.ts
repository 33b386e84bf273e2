/**
 * Two replicas on one store, each with its own poller against the simulated fleet (real gRPC,
 * mTLS): every cluster is polled by exactly one of them, the other shows it from the store, and
 * when the owner dies its clusters are polled by the survivor within 15 s.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { FleetEvent } from "@/lib/schemas/fleet";
import { createFleetPoller, type FleetPoller } from "@/lib/server/fleet/poller";
import { fleetReplication } from "@/lib/server/fleet/replication";
import { openDb, type Db } from "@/lib/server/platform/db/db";
import { listLeases } from "@/lib/server/platform/leases";
import { realClock, type Clock } from "@/lib/utils/clock";
import { testDb } from "@/test/db";
import { startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";

let t: TestFleet;
let u: TestFleet;
let stores: Db[] = [];

beforeAll(async () => {
  [t, u] = await Promise.all([
    startTestFleet({ firstAddress: "127.0.114.1", controlPlanes: 3, workers: 0, version: "v1.14.0" }),
    startTestFleet({ firstAddress: "127.0.115.1", controlPlanes: 1, workers: 2, version: "v1.13.2" }),
  ]);
  const first = await testDb();
  // Two replicas: two connections (pools) to one PostgreSQL database, or the one SQLite store.
  const url = process.env.MINOS_DATABASE_URL;
  stores = url ? [openDb(url), openDb(url)] : [first, first];
});

afterAll(async () => {
  if (stores[0] !== stores[1]) await Promise.all(stores.map((s) => s.destroy()));
  await Promise.all([t?.stop(), u?.stop()]);
});

/** A clock that stops firing timers on `kill()`: the replica freezes as under kill -9 (no release, no renewal, no polls). */
function killable(): Clock & { kill(): void } {
  let dead = false;
  return {
    now: () => realClock.now(),
    setTimeout: (fn, ms, opts) => realClock.setTimeout(() => (dead ? undefined : fn()), ms, opts),
    clearTimeout: (h) => realClock.clearTimeout(h),
    kill: () => void (dead = true),
  };
}

function replica(db: Db, owner: string) {
  const clock = killable();
  const events: FleetEvent[] = [];
  const replication = fleetReplication({ db, owner, clock, syncMs: 200, refreshMs: 1_000 });
  const poller: FleetPoller = createFleetPoller({
    loadClusters: async () => [
      { name: "east", nodes: t.contexts.admin.nodes, client: t.clients.admin },
      { name: "west", nodes: u.contexts.admin.nodes, client: u.clients.admin },
    ],
    intervalMs: 500,
    callTimeoutMs: 1_000,
    discoveryIntervalMs: 3_600_000,
    jitter: 0,
    publishDelayMs: 20,
    publish: (e) => events.push(e),
    clock,
    startUnowned: true,
    ownership: replication,
  });
  return { owner, poller, clock, events, replication };
}

describe("fleet replication", () => {
  it("each cluster is polled by one replica and shown by both; a dead owner's cluster moves within 15 s", async () => {
    const a = replica(stores[0]!, "replica-a");
    const b = replica(stores[1]!, "replica-b");
    await a.poller.start();
    await b.poller.start();
    try {
      // Spread: one cluster each.
      await waitFor(async () => a.poller.ownedClusters().length === 1 && b.poller.ownedClusters().length === 1, 10_000).catch((e: unknown) => {
        throw new Error(`${(e as Error).message}: a=${a.poller.ownedClusters()} b=${b.poller.ownedClusters()} a.leases=${a.replication.leases()} b.leases=${b.replication.leases()}`);
      });
      expect([...a.poller.ownedClusters(), ...b.poller.ownedClusters()].sort()).toEqual(["east", "west"]);
      const [aCluster] = a.poller.ownedClusters();

      // B shows A's cluster, from the store: every node reachable, with A's readings.
      await waitFor(async () => {
        const nodes = b.poller.snapshot(aCluster).nodes;
        return nodes.length === 3 && nodes.every((n) => n.reachable && n.lastSeen !== null);
      }, 10_000).catch(async (e: unknown) => {
        const rows = await stores[0]!.selectFrom("fleet_snapshots").select(["cluster", "owner", "updated_at"]).execute();
        throw new Error(`${(e as Error).message}: rows=${JSON.stringify(rows)} b=${JSON.stringify(b.poller.snapshot(aCluster).nodes.map((n) => [n.reachable, n.lastSeen]))}`);
      });
      expect(b.poller.detail(b.poller.snapshot(aCluster).nodes[0]!.id)?.services.length).toBeGreaterThan(0);

      // A change A's poller sees reaches B's subscribers (the SSE bus) too.
      const target = a.poller.snapshot(aCluster).nodes[0]!;
      const fleet = aCluster === "east" ? t.fleet : u.fleet;
      b.events.length = 0;
      fleet.setFault({ node: target.address, fault: "down" });
      const seenAt = Date.now();
      await waitFor(async () => b.events.some((e) => e.type === "nodes" && e.nodes.some((n) => n.id === target.id && !n.reachable)), 10_000);
      const delay = Date.now() - seenAt;
      fleet.clearFaults();
      expect(delay).toBeLessThan(10_000);

      // A dies: B polls both clusters within 15 s, and the nodes' last-seen moves on.
      await waitFor(async () => b.poller.snapshot(aCluster).nodes.every((n) => n.reachable), 10_000);
      a.clock.kill();
      const killedAt = Date.now();
      await waitFor(async () => b.poller.ownedClusters().length === 2, 15_000, 100);
      const tookOver = Date.now() - killedAt;
      expect(tookOver).toBeLessThan(15_000);
      console.log(`[replication] change seen on the other replica after ${delay} ms; takeover after ${tookOver} ms`);
      await waitFor(async () => b.poller.snapshot(aCluster).nodes.every((n) => n.lastSeen !== null && Date.parse(n.lastSeen) > killedAt), 5_000);
      const leases = await listLeases(stores[1]!, Date.now(), { prefix: "poller:" });
      expect(leases.map((l) => l.owner)).toEqual(["replica-b", "replica-b"]);
    } finally {
      await Promise.all([a.poller.stop(), b.poller.stop()]);
    }
  }, 60_000);
});
