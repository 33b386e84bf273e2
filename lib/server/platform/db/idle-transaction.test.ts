/**
 * A PostgreSQL session left idle inside a transaction (its replica paused, or cut off) is ended by
 * the server, so its row locks (a lease's) do not block the other replicas; the transaction then
 * fails in its process, which goes on, and the pool serves the next query.
 */
import { sql } from "kysely";
import { afterAll, expect, it } from "vitest";

import { openDb, type Db } from "@/lib/server/platform/db/db";
import { testStore } from "@/test/db";

let db: Db | undefined;
afterAll(async () => {
  await db?.destroy();
});

it.skipIf(testStore() !== "postgres")("a transaction idle past the server's timeout fails without ending the process; the pool goes on", async () => {
  db = openDb(process.env.MINOS_DATABASE_URL!);
  const failed = await db
    .transaction()
    .execute(async (trx) => {
      await sql`SELECT 1`.execute(trx);
      await new Promise((r) => setTimeout(r, 6_500));
      await sql`SELECT 2`.execute(trx);
    })
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(failed).toBeInstanceOf(Error);
  expect((await sql<{ n: number }>`SELECT 3 AS n`.execute(db)).rows[0]!.n).toBe(3);
}, 20_000);
