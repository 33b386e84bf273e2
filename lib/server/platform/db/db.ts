import "server-only";

import { chmodSync, closeSync, mkdirSync, openSync, statSync } from "node:fs";
import path from "node:path";

import Database from "better-sqlite3";
import { CompiledQuery, Kysely, PostgresAdapter, PostgresDialect, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type Dialect } from "kysely";
import pg from "pg";

import { migrations } from "@/lib/server/platform/db/migrations";
import type { Database as Tables } from "@/lib/server/platform/db/schema";
import { env } from "@/lib/server/platform/env";
import { processState } from "@/lib/server/platform/process-state";

/** The one typed query layer, the same for SQLite and PostgreSQL. */
export type Db = Kysely<Tables>;
export type DbDialect = "sqlite" | "postgres";

// In the process state: Next loads this module more than once per process, and every copy must
// find the SQLite handle behind the one store (to close it).
const g = processState<{ __minosDb?: Db; __minosSqliteHandles?: WeakMap<Db, Database.Database> }>();
const sqliteHandles = (g.__minosSqliteHandles ??= new WeakMap<Db, Database.Database>());

/** Whether a location names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

/**
 * Opens the store at `location`: a `postgres://` URL, a SQLite file, or ":memory:" (tests).
 * Every migration is applied before the first query runs (at once for SQLite; when the pool first
 * connects for PostgreSQL, under an advisory lock so replicas starting together migrate once).
 */
export function openDb(location: string): Db {
  return isPostgresUrl(location) ? openPostgres(location) : openSqlite(location);
}

/** The store's dialect; a transaction answers for the store it runs on. */
export function dialectOf(db: Db): DbDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

function openSqlite(file: string): Db {
  if (file !== ":memory:") preparePrivateFile(file);
  const handle = new Database(file);
  handle.pragma("journal_mode = WAL");
  handle.pragma("foreign_keys = ON");
  // A second process (a CLI, a test) holding the write lock briefly is waited for, not an error.
  handle.pragma("busy_timeout = 5000");
  migrateSqlite(handle);
  const db = new Kysely<Tables>({ dialect: immediateSqlite(handle) });
  sqliteHandles.set(db, handle);
  return db;
}

/**
 * SQLite's default BEGIN is deferred: a transaction that reads and then writes fails at once with
 * SQLITE_BUSY when another process wrote in between, whatever the busy timeout. BEGIN IMMEDIATE
 * takes the write lock first, so the busy timeout applies and read-then-write stays consistent.
 */
function immediateSqlite(handle: Database.Database): Dialect {
  const base = new SqliteDialect({ database: handle });
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () =>
      new (class extends SqliteDriver {
        override async beginTransaction(connection: DatabaseConnection): Promise<void> {
          await connection.executeQuery(CompiledQuery.raw("begin immediate"));
        }
      })({ database: handle }),
    createQueryCompiler: () => base.createQueryCompiler(),
    createIntrospector: (db) => base.createIntrospector(db),
  };
}

/** PostgreSQL's BIGINT (and count(*)) arrive as strings by default; every such value here is a safe integer (milliseconds, counts). */
const pgTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function openPostgres(url: string): Db {
  // A replica paused or cut off inside a transaction would hold its row locks (a lease's among
  // them) until TCP gave up; Minos's transactions are never idle between statements for long, so
  // the server ends such a session and another replica can take the lease over in time.
  // A database that stops answering (a black-holed network) must fail queries, not hang them:
  // lease renewals and health checks rely on an answer either way. TCP keepalive finds a dead
  // peer behind an idle connection.
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: pgTypes,
    idle_in_transaction_session_timeout: 5_000,
    connectionTimeoutMillis: 5_000,
    query_timeout: 30_000,
    keepAlive: true,
  });
  // An idle client's error (the server restarted) is reported on the pool; unhandled, it would end the process.
  pool.on("error", (e) => console.error("[minos] a PostgreSQL connection failed:", e.message));
  // A client in use (a transaction the server ended) emits its error on itself, which the pool
  // does not listen to then: without this, it would end the process; its query fails instead.
  pool.on("connect", (client) => client.on("error", () => undefined));
  const db = new Kysely<Tables>({
    dialect: new PostgresDialect({
      pool: async () => {
        await migratePostgres(pool);
        return pool;
      },
    }),
  });
  return db;
}

/** An arbitrary constant: the advisory lock every Minos replica takes to migrate. */
const MIGRATION_LOCK = 741_130_014;

/**
 * One transaction holds a transaction-scoped advisory lock while it reads what is applied and
 * applies the rest; DDL is transactional in PostgreSQL, so a failed migration leaves nothing.
 */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query("CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
    const applied = new Set((await client.query<{ id: number }>("SELECT id FROM schema_migrations")).rows.map((r) => r.id));
    for (const m of migrations) {
      if (applied.has(m.id)) continue;
      await client.query(m.postgres ?? m.sql);
      await client.query("INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)", [m.id, m.name, new Date().toISOString()]);
    }
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
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
 * Applies the migrations this SQLite file has not seen yet. One IMMEDIATE transaction takes the
 * write lock before reading what is applied, so two processes starting on the same file (a
 * server and a CLI, or a restart overlapping its predecessor) never apply one twice.
 */
function migrateSqlite(handle: Database.Database): void {
  handle.exec("CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  const apply = handle.transaction(() => {
    const applied = new Set(handle.prepare("SELECT id FROM schema_migrations").pluck().all() as number[]);
    for (const m of migrations) {
      if (applied.has(m.id)) continue;
      handle.exec(m.sql);
      handle.prepare("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)").run(m.id, m.name, new Date().toISOString());
    }
  });
  apply.immediate();
}

/** Where the server's store is: MINOS_DATABASE_URL, else MINOS_DB, else `<MINOS_STATE_DIR>/minos.db`. */
export function dbLocation(): string {
  const e = env();
  return e.MINOS_DATABASE_URL ?? path.resolve(e.MINOS_DB ?? path.join(e.MINOS_STATE_DIR, "minos.db"));
}

/** The process's one store (a pool for PostgreSQL, one connection for SQLite). */
export function getDb(): Db {
  g.__minosDb ??= openDb(dbLocation());
  return g.__minosDb;
}

/**
 * Closes a store. Kysely's destroy() skips a driver it never initialised (a store opened and
 * never queried), which would leave a SQLite file open: its handle is closed here either way.
 */
export async function closeDb(db: Db): Promise<void> {
  await db.destroy();
  const handle = sqliteHandles.get(db);
  if (handle?.open) handle.close();
}
