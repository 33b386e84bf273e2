import { describe, expect, it } from "vitest";

import type { Db } from "@/lib/server/platform/db/db";
import { LeaseSet } from "@/lib/server/platform/lease-set";
import { listLeases } from "@/lib/server/platform/leases";
import type { Clock } from "@/lib/utils/clock";
import { testDb } from "@/test/db";
import { FakeClock } from "@/test/fake-clock";

const T0 = 1_800_000_000_000;

/** One replica's view of the shared fake time; `kill()` freezes it like kill -9 (no release, no renewals). */
function replicaClock(clock: FakeClock): Clock & { kill(): void } {
  let killed = false;
  return {
    now: () => clock.now(),
    setTimeout: (fn, ms, opts) => clock.setTimeout(() => (killed ? undefined : fn()), ms, opts),
    clearTimeout: (h) => clock.clearTimeout(h),
    kill: () => void (killed = true),
  };
}

function fleet(db: Db, clock: FakeClock, items: string[], owners: string[]) {
  /** Who runs each item, by the replicas' own callbacks: a second owner at once is a bug. */
  const runningBy = new Map<string, string>();
  const doubles: string[] = [];
  const replicas = owners.map((owner) => {
    const c = replicaClock(clock);
    const set = new LeaseSet(db, {
      prefix: "poller:",
      owner,
      items: () => items,
      clock: c,
      scanMs: 1_500,
      onAcquired: (item) => {
        const other = runningBy.get(item);
        if (other && other !== owner) doubles.push(`${item}: ${other} and ${owner}`);
        runningBy.set(item, owner);
      },
      onReleased: (item) => {
        if (runningBy.get(item) === owner) runningBy.delete(item);
      },
    });
    return { owner, set, clock: c };
  });
  return { replicas, runningBy, doubles };
}

describe("LeaseSet", () => {
  it("spreads items evenly, and a dead replica's items move to the others after its leases expire", async () => {
    const db = await testDb();
    const clock = new FakeClock(T0);
    const items = ["c1", "c2", "c3", "c4", "c5", "c6"];
    const { replicas, runningBy, doubles } = fleet(db, clock, items, ["A", "B", "C"]);
    for (const r of replicas) r.set.start();
    await advance(clock, 6_000);
    expect(replicas.map((r) => r.set.owned().length)).toEqual([2, 2, 2]);
    expect(new Set(runningBy.keys()).size).toBe(6);

    // C dies (kill -9: no release). Within the lease TTL plus one scan its items are run elsewhere.
    const dead = replicas[2]!;
    dead.clock.kill();
    const orphaned = dead.set.owned();
    for (const item of orphaned) runningBy.delete(item); // a killed process runs nothing
    let movedAt = 0;
    for (let t = 0; t <= 15_000 && !movedAt; t += 500) {
      await advance(clock, 500);
      const leases = await listLeases(db, clock.now(), { prefix: "poller:" });
      if (orphaned.every((i) => leases.some((l) => l.name === `poller:${i}` && l.owner !== "C"))) movedAt = t + 500;
    }
    expect(movedAt).toBeGreaterThan(0);
    expect(movedAt).toBeLessThanOrEqual(10_000);
    // One may have taken both orphans; it hands one back once C counts as gone.
    await advance(clock, 6_000);
    expect(replicas.slice(0, 2).map((r) => r.set.owned().length)).toEqual([3, 3]);
    expect(doubles).toEqual([]);
  });

  it("a joining replica gets its share handed over one item per scan, and a clean stop hands over at once", async () => {
    const db = await testDb();
    const clock = new FakeClock(T0);
    const { replicas, doubles } = fleet(db, clock, ["c1", "c2", "c3", "c4"], ["A", "B"]);
    replicas[0]!.set.start();
    await advance(clock, 3_000);
    expect(replicas[0]!.set.owned()).toHaveLength(4);
    replicas[1]!.set.start();
    await advance(clock, 10_000);
    expect(replicas.map((r) => r.set.owned().length)).toEqual([2, 2]);
    await replicas[0]!.set.stop();
    await advance(clock, 3_000);
    expect(replicas[1]!.set.owned()).toEqual(["c1", "c2", "c3", "c4"]);
    expect(doubles).toEqual([]);
  });

  it("items that disappear are given back; new ones are taken", async () => {
    const db = await testDb();
    const clock = new FakeClock(T0);
    const items = ["c1", "c2"];
    const { replicas } = fleet(db, clock, items, ["A"]);
    replicas[0]!.set.start();
    await advance(clock, 2_000);
    items.splice(0, 1, "c3");
    await advance(clock, 2_000);
    expect(replicas[0]!.set.owned()).toEqual(["c2", "c3"]);
    expect((await listLeases(db, clock.now(), { prefix: "poller:" })).map((l) => l.name)).toEqual(["poller:c2", "poller:c3"]);
  });
});

/** Moves fake time in small steps, letting the database round trips of each scan settle. */
async function advance(clock: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) {
    await clock.advance(100);
    await new Promise((r) => setTimeout(r, 2));
  }
}
