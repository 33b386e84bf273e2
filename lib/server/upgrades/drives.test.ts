import { describe, expect, it } from "vitest";

import { JobLoops } from "@/lib/server/jobs";
import type { Db } from "@/lib/server/platform/db/db";
import { LeaseLostError } from "@/lib/server/platform/leases";
import { testDb } from "@/test/db";
import { FakeClock } from "@/test/fake-clock";

import { PlanDrives, upgradeLeaseName } from "./drives";

function drivesOn(db: Db, clock: FakeClock, lease?: { ttlMs: number; renewMs: number }) {
  const loops = new JobLoops(clock, () => {});
  const drives = new PlanDrives({ db, clock, owner: "replica-a", loops, lease, log: () => {} });
  return { loops, drives };
}

const leaseRow = (db: Db, id: string) => db.selectFrom("leases").select(["owner", "fence", "expires_at"]).where("name", "=", upgradeLeaseName(id)).executeTakeFirst();

describe("PlanDrives", () => {
  it("stops acting one renewal period before the lease expires (clock skew between replicas)", async () => {
    const db = await testDb();
    const clock = new FakeClock();
    const { loops, drives } = drivesOn(db, clock, { ttlMs: 6_000, renewMs: 2_000 });
    const drive = (await drives.claim("p1"))!;
    expect(drive).not.toBeNull();
    expect(() => drives.assertHolding(drive)).not.toThrow();
    // The renewals did not land (a stalled process): 1 s before expiry by this clock, another
    // replica whose clock runs ahead may already have taken the plan.
    clock.time = drive.held.lease.expiresAt - 1_000;
    expect(() => drives.assertHolding(drive)).toThrow(LeaseLostError);
    expect(drive.signal.aborted).toBe(true);
    await loops.stop();
    await drives.dropAll();
  });

  it("takes no lease for a plan whose loop is still letting it go, so the release cannot clear a lease taken meanwhile", async () => {
    const db = await testDb();
    const clock = new FakeClock();
    const { loops, drives } = drivesOn(db, clock);
    const drive = (await drives.claim("p2"))!;
    let reclaimed: unknown = "not tried";
    // The loop's last step: it drops the drive, and a scan or an operator's action comes in
    // before the loop is unregistered.
    loops.ensure("p2", async () => {
      await drives.dropDrive("p2");
      reclaimed = await drives.claim("p2");
    });
    await loops.idle("p2");
    expect(reclaimed).toBeNull();
    expect(drive.signal.aborted).toBe(true);
    // Once the loop is gone, the plan can be taken up again (by the next scan).
    const again = await drives.claim("p2");
    expect(again).not.toBeNull();
    const row = await leaseRow(db, "p2");
    expect(row?.owner).toBe("replica-a");
    expect(Number(row?.expires_at)).toBeGreaterThan(clock.now());
    await loops.stop();
    await drives.dropAll();
  });
});
