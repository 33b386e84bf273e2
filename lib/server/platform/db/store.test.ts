import { sql } from "kysely";
import { describe, expect, it } from "vitest";

import { dialectOf } from "@/lib/server/platform/db/db";
import { migrations } from "@/lib/server/platform/db/migrations";
import { testDb, testStore } from "@/test/db";

describe("the store under test", () => {
  it("is migrated, and generated ids and millisecond times round-trip as numbers", async () => {
    const db = await testDb();
    expect(dialectOf(db)).toBe(testStore());
    const ids = (await db.selectFrom("schema_migrations").select("id").orderBy("id").execute()).map((r) => r.id);
    expect(ids).toEqual(migrations.map((m) => m.id));
    const row = await db
      .insertInto("audit_log")
      .values({ at: "2026-01-01T00:00:00.000Z", actor: "a", action: "x", target: "t", result: "ok", details: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    expect(typeof row.id).toBe("number");
    await db.insertInto("leases").values({ name: "l", owner: "o", expires_at: 1_800_000_000_123, fence: 1 }).execute();
    expect(await db.selectFrom("leases").selectAll().executeTakeFirst()).toEqual({ name: "l", owner: "o", expires_at: 1_800_000_000_123, fence: 1 });
    const { count } = await db.selectFrom("audit_log").select(sql<number>`count(*)`.as("count")).executeTakeFirstOrThrow();
    expect(Number(count)).toBe(1);
  });

  it("rolls a failed transaction back whole", async () => {
    const db = await testDb();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto("replicas").values({ id: "r1", started_at: "now", seen_at: 1, address: null }).execute();
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await db.selectFrom("replicas").selectAll().execute()).toEqual([]);
  });
});
