import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { migrateLegacy as migrate, openLegacyDb as openDb } from "@/lib/server/platform/db/db";
import { migrations } from "@/lib/server/platform/db/migrations";

const dir = mkdtempSync(path.join(tmpdir(), "minos-db-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("openDb", () => {
  it("creates the file in WAL mode with every migration applied once", () => {
    const file = path.join(dir, "nested", "minos.db");
    const db = openDb(file);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.prepare("SELECT id FROM schema_migrations ORDER BY id").pluck().all()).toEqual(migrations.map((m) => m.id));
    migrate(db);
    expect(db.prepare("SELECT count(*) FROM schema_migrations").pluck().get()).toBe(migrations.length);
    db.close();
    const again = openDb(file);
    expect(again.prepare("SELECT count(*) FROM schema_migrations").pluck().get()).toBe(migrations.length);
    again.close();
  });

  it("keeps migration ids unique and ascending", () => {
    const ids = migrations.map((m) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("migrate across connections", () => {
  it("two connections opening the same new file apply each migration once", () => {
    const file = path.join(dir, "shared.db");
    const a = openDb(file);
    const b = openDb(file);
    migrate(a);
    migrate(b);
    expect(b.prepare("SELECT count(*) FROM schema_migrations").pluck().get()).toBe(migrations.length);
    a.close();
    b.close();
  });
});

describe("file permissions", () => {
  const mode = (f: string) => statSync(f).mode & 0o777;

  it("creates the database, its -wal and -shm files 0600 and a new directory 0700, whatever the umask", () => {
    const old = process.umask(0o022);
    try {
      const file = path.join(dir, "private", "state", "minos.db");
      const db = openDb(file);
      db.exec("CREATE TABLE t (x TEXT)");
      db.prepare("INSERT INTO t VALUES (?)").run("a secret row");
      // The write above sits in the WAL: both side files exist while the connection is open.
      expect(existsSync(`${file}-wal`)).toBe(true);
      expect(existsSync(`${file}-shm`)).toBe(true);
      expect({ db: mode(file), wal: mode(`${file}-wal`), shm: mode(`${file}-shm`) }).toEqual({ db: 0o600, wal: 0o600, shm: 0o600 });
      expect(mode(path.join(dir, "private", "state"))).toBe(0o700);
      expect(mode(path.join(dir, "private"))).toBe(0o700);
      db.close();
    } finally {
      process.umask(old);
    }
  });

  it("tightens a database an older version left readable by others, and its side files", () => {
    const file = path.join(dir, "loose.db");
    const first = openDb(file);
    first.exec("CREATE TABLE t (x TEXT)");
    first.close();
    writeFileSync(`${file}-wal`, "");
    for (const f of [file, `${file}-wal`]) chmodSync(f, 0o644);
    const again = openDb(file);
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}-wal`)).toBe(0o600);
    expect(mode(`${file}-shm`)).toBe(0o600);
    again.close();
  });
});
