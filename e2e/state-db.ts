/**
 * The e2e server's store, for states the API cannot produce on demand: PostgreSQL when the run
 * has MINOS_DATABASE_URL (the server inherits it), else the SQLite file in the server's state
 * dir. Opened through Kysely directly: lib/server/platform/db is server-only.
 */
import path from "node:path";

import Database from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";

import type { Database as Tables } from "@/lib/server/platform/db/schema";

export function openStateDb(): Kysely<Tables> {
  const url = process.env.MINOS_DATABASE_URL;
  if (url) return new Kysely<Tables>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
  const handle = new Database(path.join(process.env.E2E_STATE_DIR!, "minos.db"));
  // The server holds the same file open and may be writing.
  handle.pragma("busy_timeout = 5000");
  return new Kysely<Tables>({ dialect: new SqliteDialect({ database: handle }) });
}
