import "server-only";

import { chmodSync, closeSync, mkdirSync, openSync, statSync } from "node:fs";
import path from "node:path";

import Database from "better-sqlite3";

import { migrations } from "@/lib/server/platform/db/migrations";
import { env } from "@/lib/server/platform/env";
import { processState } from "@/lib/server/platform/process-state";

export type Db = Database.Database;

const g = processState<{ __minosDb?: Db }>();

/** Opens a database file (":memory:" for tests), in WAL mode, with every migration applied. */
export function openDb(file: string): Db {
  if (file !== ":memory:") preparePrivateFile(file);
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  // A second process (a CLI, a test) holding the write lock briefly is waited for, not an error.
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

/**
 * The database holds sessions, token hashes, sealed talosconfigs and the audit log: only the
 * server's user may read it. SQLite would create it 0644 (minus the umask), and its -wal and
 * -shm files copy the database's mode, so the file is created 0600 first (its new directories
 * 0700). Files an older version left readable by others are tightened, and the log says so.
 */
function preparePrivateFile(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, "a", 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    let mode: number;
    try {
      mode = statSync(f).mode & 0o777;
    } catch {
      continue;
    }
    if (mode & 0o077) {
      console.warn(`[minos] ${f} was readable by others (mode ${mode.toString(8)}); setting it to 0600`);
      chmodSync(f, 0o600);
    }
  }
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
