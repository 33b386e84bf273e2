/**
 * The periodic drift check with several replicas on one store: each cluster is checked by the
 * one replica holding `drift:<cluster>` (shared out by LeaseSet), a replica stopping hands its
 * clusters over at once, and one whose lease was taken (paused or cut off past its expiry)
 * stores no verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { ConfigDeps } from "@/lib/server/configs/deps";
import { adoptDrift, createDriftChecker, listStoredDrift } from "@/lib/server/configs/drift";
import { openDb, type Db } from "@/lib/server/platform/db/db";
import { acquireLease, LEASE_RENEW_MS } from "@/lib/server/platform/leases";
import { depsForFleet, startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";
import { testDb, testStore } from "@/test/db";
import { FakeClock } from "@/test/fake-clock";
import { waitFor } from "@/test/talos/fleet";

let t: ConfigTestFleet;
let other: ConfigDeps;
let stores: Db[] = [];
let node: string;
let cluster: string;

beforeAll(async () => {
  const url = process.env.MINOS_DATABASE_URL;
  // Two replicas: two pools on one PostgreSQL database, or the one SQLite store.
  if (testStore() === "postgres" && url) stores = [openDb(url), openDb(url)];
  const [a, b] = stores.length ? stores : [await testDb(), undefined];
  t = await startConfigTestFleet({ firstAddress: "127.0.157.1", controlPlanes: 1, workers: 1 }, { db: a });
  other = b ? depsForFleet(t, { db: b, key: t.key }) : t.deps;
  node = t.ids[1]!;
  cluster = t.fleet.clusters[0]!;
});
afterAll(async () => {
  await t?.stop();
  await Promise.all(stores.map((s) => s.destroy()));
});

const checkedAt = async () => (await listStoredDrift(other)).find((d) => d.node === node)?.checkedAt;

describe("drift checker across replicas", () => {
  it("one replica checks a cluster; stopping hands it over; an owner whose lease was taken stores nothing", async () => {
    // A revision to compare against (adopting stores a first verdict too).
    await adoptDrift(t.deps, node, "test user");
    // A fake clock: no pass or renewal runs unless the test asks.
    const clock = new FakeClock(Date.now());
    const a = createDriftChecker({ deps: t.deps, owner: "replica-a", clock });
    const b = createDriftChecker({ deps: other, owner: "replica-b", clock });
    try {
      expect((await a.runOnce()).map((d) => d.node)).toEqual([node]);
      expect(a.clusters()).toEqual([cluster]);
      const byA = await checkedAt();
      expect(await b.runOnce()).toEqual([]);
      expect(b.clusters()).toEqual([]);
      expect(await checkedAt()).toBe(byA);

      // A stops cleanly: its lease is given back and B takes the cluster at its next pass.
      await a.stop();
      expect((await b.runOnce()).map((d) => d.node)).toEqual([node]);
      expect(b.clusters()).toEqual([cluster]);

      // B is cut off past its expiry and replica C takes the cluster: B's next pass writes nothing and lets it go.
      expect(await acquireLease(t.deps.db, `drift:${cluster}`, "replica-c", clock.now() + 60_000)).toMatchObject({ owner: "replica-c" });
      const beforeB = await checkedAt();
      expect(await b.runOnce()).toEqual([]);
      expect(await checkedAt()).toBe(beforeB);
      // Its next renewal finds the lease gone, and it lets the cluster go.
      await clock.advance(LEASE_RENEW_MS);
      await waitFor(async () => b.clusters().length === 0, 5_000, 10);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("a checker whose cluster lease is taken while it checks stores no verdict (never an unfenced write)", async () => {
    // Past the leases the previous test left, so this replica takes the cluster at its first pass.
    const clock = new FakeClock(Date.now() + 600_000);
    let steal = false;
    const a = createDriftChecker({
      owner: "replica-a",
      clock,
      deps: {
        ...t.deps,
        // Between the pass's start (it holds the cluster) and the verdict's write, replica D
        // takes the lease and A's next renewal finds it gone: A lets the cluster go.
        canReadConfigs: async (c) => {
          if (steal) {
            steal = false;
            expect(await acquireLease(t.deps.db, `drift:${c}`, "replica-d", clock.now() + 60_000)).toMatchObject({ owner: "replica-d" });
            await clock.advance(LEASE_RENEW_MS);
            await waitFor(async () => a.clusters().length === 0, 5_000, 10);
          }
          return true;
        },
      },
    });
    try {
      expect((await a.runOnce()).map((d) => d.node)).toEqual([node]);
      const before = await checkedAt();
      steal = true;
      await clock.advance(1_000);
      expect(await a.runOnce()).toEqual([]);
      expect(steal).toBe(false);
      expect(await checkedAt()).toBe(before);
    } finally {
      await a.stop();
    }
  });
});
