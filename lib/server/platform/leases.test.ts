import { describe, expect, it } from "vitest";

import { openDb } from "@/lib/server/platform/db/db";
import { acquireLease, fenced, holdLease, LeaseLostError, listLeases, releaseLease, renewLease } from "@/lib/server/platform/leases";
import { testDb } from "@/test/db";
import { FakeClock } from "@/test/fake-clock";

const T0 = 1_800_000_000_000;

describe("leases", () => {
  it("one owner at a time; a takeover after expiry bumps the fence and fences the old owner out", async () => {
    const db = await testDb();
    const a = await acquireLease(db, "poller:lab", "A", T0, 9_000);
    expect(a).toMatchObject({ owner: "A", fence: 1, expiresAt: T0 + 9_000 });
    expect(await acquireLease(db, "poller:lab", "B", T0 + 8_999, 9_000)).toBeNull();
    // A re-acquiring its own live lease renews it without a new fence.
    expect(await acquireLease(db, "poller:lab", "A", T0 + 1_000, 9_000)).toMatchObject({ fence: 1, expiresAt: T0 + 10_000 });
    const b = await acquireLease(db, "poller:lab", "B", T0 + 10_000, 9_000);
    expect(b).toMatchObject({ owner: "B", fence: 2 });
    // A was paused past its expiry: its renewal and its writes are refused now.
    expect(await renewLease(db, a!, T0 + 10_001)).toBeNull();
    await expect(fenced(db, a!, async (trx) => trx.insertInto("replicas").values({ id: "from-A", started_at: "x", seen_at: 0, address: null }).execute())).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    expect(await db.selectFrom("replicas").selectAll().execute()).toEqual([]);
    await fenced(db, b!, async (trx) => trx.insertInto("replicas").values({ id: "from-B", started_at: "x", seen_at: 0, address: null }).execute());
    expect((await db.selectFrom("replicas").select("id").execute()).map((r) => r.id)).toEqual(["from-B"]);
  });

  it("a released lease is free at once; listLeases shows live ones by owner and prefix", async () => {
    const db = await testDb();
    const a = (await acquireLease(db, "rollout:r1", "A", T0))!;
    await acquireLease(db, "poller:lab", "A", T0);
    await acquireLease(db, "poller:edge", "B", T0);
    expect((await listLeases(db, T0, { owner: "A" })).map((l) => l.name)).toEqual(["poller:lab", "rollout:r1"]);
    expect((await listLeases(db, T0, { prefix: "poller:" })).map((l) => `${l.name}=${l.owner}`)).toEqual(["poller:edge=B", "poller:lab=A"]);
    await releaseLease(db, a);
    expect(await acquireLease(db, "rollout:r1", "B", T0 + 1)).toMatchObject({ owner: "B", fence: 2 });
  });

  it("two replicas racing for a new lease on one database: exactly one wins", async () => {
    const first = await testDb();
    const url = process.env.MINOS_DATABASE_URL;
    // In the postgres project every store of the file is its own database; race two pools on one.
    const [x, y] = url && first ? [openDb(url), openDb(url)] : [first, first];
    try {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => acquireLease(i % 2 ? x : y, "upgrade:p1", `R${i}`, T0)));
      expect(results.filter(Boolean)).toHaveLength(1);
    } finally {
      if (x !== first) await Promise.all([x.destroy(), y.destroy()]);
    }
  });

  it("a held lease renews on its clock, and reports its loss once when another owner took it", async () => {
    const db = await testDb();
    const clock = new FakeClock(T0);
    const lost: number[] = [];
    const held = (await holdLease(db, "upgrade:p2", "A", { clock, ttlMs: 9_000, renewMs: 3_000, onLost: (l) => lost.push(l.fence) }))!;
    await clock.advance(3_000);
    await waitFor(async () => (await listLeases(db, T0 + 3_000))[0]?.expiresAt === T0 + 12_000);
    // B takes it over (as if A had been partitioned away past the expiry).
    expect(await acquireLease(db, "upgrade:p2", "B", T0 + 13_000)).toMatchObject({ fence: 2 });
    await clock.advance(3_000);
    await waitFor(async () => held.lost);
    expect(lost).toEqual([1]);
    await expect(held.fenced(async () => 1)).rejects.toBeInstanceOf(LeaseLostError);
    await held.release(); // does not free B's lease
    expect(await listLeases(db, T0 + 13_000)).toMatchObject([{ owner: "B" }]);
  });
});

async function waitFor(cond: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("condition not met");
}
