import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { sql } from "kysely";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

import { closeDb, migratePostgres, openDb, type Db } from "@/lib/server/platform/db/db";
import { migrations } from "@/lib/server/platform/db/migrations";
import { createPgDatabase, testStore } from "@/test/db";
import { inject } from "vitest";

const dir = mkdtempSync(path.join(tmpdir(), "minos-db-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const applied = async (db: Db) => (await db.selectFrom("schema_migrations").select("id").orderBy("id").execute()).map((r) => r.id);

// The store's SQLite file: its mode, WAL and migrations (in both projects: it is always a file).
describe("a SQLite store", () => {
  it("creates the file in WAL mode with every migration applied once, also when opened again", async () => {
    const file = path.join(dir, "nested", "minos.db");
    const db = openDb(file);
    const { rows } = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db);
    expect(rows[0]!.journal_mode).toBe("wal");
    expect(await applied(db)).toEqual(migrations.map((m) => m.id));
    await closeDb(db);
    const again = openDb(file);
    expect(await applied(again)).toEqual(migrations.map((m) => m.id));
    await closeDb(again);
  });

  it("keeps migration ids unique and ascending", () => {
    const ids = migrations.map((m) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("two connections opening the same new file apply each migration once", async () => {
    const file = path.join(dir, "shared.db");
    const a = openDb(file);
    const b = openDb(file);
    expect(await applied(b)).toEqual(migrations.map((m) => m.id));
    await Promise.all([closeDb(a), closeDb(b)]);
  });
});

describe("file permissions", () => {
  const mode = (f: string) => statSync(f).mode & 0o777;

  it("creates the database, its -wal and -shm files 0600 and a new directory 0700, whatever the umask", async () => {
    const old = process.umask(0o022);
    try {
      const file = path.join(dir, "private", "state", "minos.db");
      const db = openDb(file);
      await db.insertInto("replicas").values({ id: "a secret row", started_at: "x", seen_at: 0, address: null }).execute();
      // The write above sits in the WAL: both side files exist while the connection is open.
      expect(existsSync(`${file}-wal`)).toBe(true);
      expect(existsSync(`${file}-shm`)).toBe(true);
      expect({ db: mode(file), wal: mode(`${file}-wal`), shm: mode(`${file}-shm`) }).toEqual({ db: 0o600, wal: 0o600, shm: 0o600 });
      expect(mode(path.join(dir, "private", "state"))).toBe(0o700);
      expect(mode(path.join(dir, "private"))).toBe(0o700);
      await closeDb(db);
    } finally {
      process.umask(old);
    }
  });

  it("tightens a database an older version left readable by others, and its side files", async () => {
    const file = path.join(dir, "loose.db");
    await closeDb(openDb(file));
    writeFileSync(`${file}-wal`, "");
    for (const f of [file, `${file}-wal`]) chmodSync(f, 0o644);
    const again = openDb(file);
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}-wal`)).toBe(0o600);
    expect(mode(`${file}-shm`)).toBe(0o600);
    await closeDb(again);
  });
});

describe.skipIf(testStore() !== "postgres")("a PostgreSQL store", () => {
  it("replicas starting together on a new database migrate it once (advisory lock)", async () => {
    const url = await createPgDatabase(inject("pgAdminUrl"));
    // createPgDatabase copies the migrated template: empty it to look like a new database.
    const admin = new pg.Client(url);
    await admin.connect();
    await admin.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    await admin.end();
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: url, max: 1 }));
    try {
      await Promise.all(pools.map((p) => migratePostgres(p)));
      const { rows } = await pools[0]!.query<{ id: number }>("SELECT id FROM schema_migrations ORDER BY id");
      expect(rows.map((r) => r.id)).toEqual(migrations.map((m) => m.id));
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});
