import "server-only";

import { mkdirSync } from "node:fs";
import path from "node:path";

import Database from "better-sqlite3";

import { migrations } from "@/lib/server/db/migrations";
import { env } from "@/lib/server/env";

export type Db = Database.Database;

const g = globalThis as { __minosDb?: Db };

/** Opens a database file (":memory:" for tests), in WAL mode, with every migration applied. */
export function openDb(file: string): Db {
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  // A second process (a CLI, a test) holding the write lock briefly is waited for, not an error.
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

/**
 * Applies the migrations this database has not seen yet. One IMMEDIATE transaction takes the
 * write lock before reading what is applied, so two processes starting on the same file (a
 * server and a CLI, or a restart overlapping its predecessor) never apply one twice.
 */
export function migrate(db: Db): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  const apply = db.transaction(() => {
    const applied = new Set(db.prepare("SELECT id FROM schema_migrations").pluck().all() as number[]);
    for (const m of migrations) {
      if (applied.has(m.id)) continue;
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)").run(m.id, m.name, new Date().toISOString());
    }
  });
  apply.immediate();
}

/** The process's one connection, at MINOS_DB or `<MINOS_STATE_DIR>/minos.db`. */
export function getDb(): Db {
  if (!g.__minosDb) {
    const e = env();
    g.__minosDb = openDb(path.resolve(e.MINOS_DB ?? path.join(e.MINOS_STATE_DIR, "minos.db")));
  }
  return g.__minosDb;
}
