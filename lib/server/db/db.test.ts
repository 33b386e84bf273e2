import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { migrate, openDb } from "@/lib/server/db/db";
import { migrations } from "@/lib/server/db/migrations";

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
