/**
 * Two "replicas" of Minos for tests: two independent stores on one database, as two processes
 * behind a load balancer would have. On the postgres project, two connection pools on a fresh
 * database of the suite's server; on the sqlite project, one file opened twice. Nothing is shared
 * between the two but the database, so whatever one replica kept in its memory the other cannot see.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, inject } from "vitest";

import { openDb, type Db } from "@/lib/server/platform/db/db";
import { createPgDatabase } from "@/test/db";

const opened: Db[] = [];
let hooked = false;

/** Two stores on one fresh database; closed after the file's tests. */
export async function twoReplicas(): Promise<[Db, Db]> {
  const admin = inject("pgAdminUrl");
  const location = admin ? await createPgDatabase(admin) : path.join(mkdtempSync(path.join(tmpdir(), "minos-replicas-")), "minos.db");
  const pair: [Db, Db] = [openDb(location), openDb(location)];
  opened.push(...pair);
  if (!hooked) {
    hooked = true;
    afterAll(async () => {
      await Promise.all(opened.splice(0).map((d) => d.destroy().catch(() => undefined)));
    });
  }
  return pair;
}
