/**
 * A fresh, migrated store for one test. The `sqlite` Vitest project gets an in-memory SQLite
 * database; the `postgres` project a new database on the suite's throwaway server, copied from
 * a migrated template (test/pg/global-setup.ts), so every test starts empty on both stores.
 */
import { randomBytes } from "node:crypto";

import pg from "pg";
import { afterAll, inject } from "vitest";

import { closeDb, openDb, type Db } from "@/lib/server/platform/db/db";

/** A PostgreSQL server for the postgres project to use instead of starting its own. */
export const PG_ADMIN_URL_ENV = "MINOS_TEST_PG_ADMIN_URL";
/** The migrated database every test database copies: one per run, so runs sharing a server do not trip over each other. */
export function pgTemplate(): string {
  return inject("pgTemplate");
}

/** The postgres project's server (provided by its global setup), or undefined in the sqlite project. */
function pgAdminUrl(): string | undefined {
  return inject("pgAdminUrl");
}

export function testStore(): "sqlite" | "postgres" {
  return pgAdminUrl() ? "postgres" : "sqlite";
}

const opened: Db[] = [];
let hooked = false;

/** A new empty database on the store under test; closed after the file's tests. */
export async function testDb(): Promise<Db> {
  const admin = pgAdminUrl();
  const db = admin ? openDb(await createPgDatabase(admin)) : openDb(":memory:");
  opened.push(db);
  if (!hooked) {
    hooked = true;
    afterAll(async () => {
      await Promise.all(opened.splice(0).map((d) => closeDb(d).catch(() => undefined)));
    });
  }
  return db;
}

/** Creates a database from the migrated template; returns its URL. */
export async function createPgDatabase(adminUrl: string): Promise<string> {
  const name = `t_${process.pid}_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client(adminUrl);
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${pgTemplate()}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
