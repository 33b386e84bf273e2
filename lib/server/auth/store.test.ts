import { mkdtempSync, readFileSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import Database from "better-sqlite3";
import { sql } from "kysely";
import { describe, expect, inject, it } from "vitest";

import { listAudit } from "@/lib/server/platform/audit";
import { sha256 } from "@/lib/server/auth/crypto";
import { BOOTSTRAP_FILE, consumeLink, createInvitation, ensureBootstrapLink, findLiveLink, previewLink } from "@/lib/server/auth/links";
import { createSession, resolveSession } from "@/lib/server/auth/sessions";
import { createApiToken, resolveApiToken, revokeApiToken } from "@/lib/server/auth/tokens";
import { createUser, revokeUser, setUserRole } from "@/lib/server/auth/users";
import { cancelInvitation, redeemLink, type ServiceDeps } from "@/lib/server/auth/service";
import { userActor } from "@/lib/server/auth/actor";
import { revokePasskey } from "@/lib/server/auth/passkeys";
import { waitFor } from "@/test/talos/fleet";
import { buildAuthConfig } from "@/lib/server/auth/config";
import { parseEnv } from "@/lib/schemas/env";
import { openDb } from "@/lib/server/platform/db/db";
import { migrations } from "@/lib/server/platform/db/migrations";
import { createPgDatabase, testDb, testStore } from "@/test/db";

const t0 = new Date("2026-03-01T10:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const MIN = 60_000;

async function setup() {
  const stateDir = mkdtempSync(path.join(tmpdir(), "minos-auth-"));
  const db = await testDb();
  const config = buildAuthConfig(parseEnv({ MINOS_STATE_DIR: stateDir, MINOS_SESSION_IDLE_MINUTES: "30", MINOS_SESSION_MAX_HOURS: "8" }));
  return { db, config, stateDir };
}

const req = () => new Request("http://127.0.0.1:3215/api/auth/bootstrap", { method: "POST", headers: { host: "127.0.0.1:3215", "x-forwarded-proto": "http" } });

describe("sessions", () => {
  it("stores only hashes, and ends on idle and absolute timeouts", async () => {
    const { db, config } = await setup();
    const user = await createUser(db, { name: "ada", role: "admin", source: "passkey", createdBy: "system" }, t0);
    const s = await createSession(db, { userId: user.id, method: "passkey" }, config, t0);
    expect(s.token).toHaveLength(43); // 256 bits, base64url
    const row = await db.selectFrom("sessions").selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(s.token);
    expect(row.id_hash).toBe(sha256(s.token));
    expect(row.csrf_hash).toBe(sha256(s.csrf));

    expect((await resolveSession(db, s.token, config, at(29 * MIN)))?.user.name).toBe("ada");
    // Activity at 29 min moved the idle clock: still alive at 58 min.
    expect(await resolveSession(db, s.token, config, at(58 * MIN))).not.toBeNull();
    expect(await resolveSession(db, s.token, config, at(58 * MIN + 30 * MIN))).toBeNull();

    const busy = await createSession(db, { userId: user.id, method: "passkey" }, config, t0);
    for (let m = 20; m < 8 * 60; m += 20) expect(await resolveSession(db, busy.token, config, at(m * MIN))).not.toBeNull();
    expect(await resolveSession(db, busy.token, config, at(8 * 60 * MIN))).toBeNull();
  });

  it("dies with its user", async () => {
    const { db, config } = await setup();
    const user = await createUser(db, { name: "bob", role: "viewer", source: "passkey", createdBy: "system" }, t0);
    const s = await createSession(db, { userId: user.id, method: "passkey" }, config, t0);
    await revokeUser(db, user.id, "user:ada", at(MIN));
    expect(await resolveSession(db, s.token, config, at(2 * MIN))).toBeNull();
  });
});

describe("first-start link", () => {
  it("exists only while there are no users, lives 15 minutes, is written 0600, and works once", async () => {
    const { db, config, stateDir } = await setup();
    const link = (await ensureBootstrapLink(db, { origin: config.origin, stateDir }, t0))!;
    expect(link.created).toBe(true);
    expect(link.url).toMatch(/^http:\/\/localhost:3000\/setup#token=[A-Za-z0-9_-]{43}$/);
    const file = path.join(stateDir, BOOTSTRAP_FILE);
    expect(readFileSync(file, "utf8").trim()).toBe(link.url);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(await db.selectFrom("sign_in_links").selectAll().execute())).not.toContain(link.url.split("=")[1]);

    // A restart inside the window re-reads the same link rather than minting a new one.
    expect(await ensureBootstrapLink(db, { origin: config.origin, stateDir }, at(5 * MIN))).toMatchObject({ created: false, url: link.url });
    const token = link.url.split("#token=")[1]!;
    expect(await previewLink(db, token, at(MIN))).toMatchObject({ kind: "bootstrap", role: "admin" });
    await expect(findLiveLink(db, token, at(15 * MIN))).rejects.toThrow(/not valid/);

    const fresh = (await ensureBootstrapLink(db, { origin: config.origin, stateDir }, at(16 * MIN)))!;
    expect(fresh.created).toBe(true);
    const freshToken = fresh.url.split("#token=")[1]!;
    const result = await redeemLink(req(), "bootstrap", { token: freshToken, name: "ada" }, { db, config, now: at(17 * MIN) });
    expect(result.body.user).toMatchObject({ name: "ada", role: "admin" });
    expect(result.cookies.some((c) => c.startsWith("minos_session=") && c.includes("HttpOnly") && c.includes("SameSite=Lax"))).toBe(true);
    expect(result.cookies.some((c) => c.startsWith("minos_csrf=") && !c.includes("HttpOnly"))).toBe(true);
    expect(existsSync(file)).toBe(false);
    await expect(redeemLink(req(), "bootstrap", { token: freshToken, name: "eve" }, { db, config, now: at(18 * MIN) })).rejects.toThrow(/not valid/);
    expect(await ensureBootstrapLink(db, { origin: config.origin, stateDir }, at(20 * MIN))).toBeNull();

    const audit = (await listAudit(db, { limit: 10 })).map((e) => `${e.action} ${e.result} ${e.actor}`);
    expect(audit).toEqual(["auth.bootstrap refused anonymous", "auth.bootstrap ok user:ada"]);
  });
});

describe("invitations", () => {
  it("create a user with the invited role, once; a taken name leaves the link usable", async () => {
    const { db, config } = await setup();
    await createUser(db, { name: "ada", role: "admin", source: "passkey", createdBy: "system" }, t0);
    const { token, invitation } = await createInvitation(db, { role: "viewer", name: "vic", expiresInHours: 1, createdBy: "user:ada" }, t0);
    expect(invitation).toMatchObject({ role: "viewer", name: "vic", usedAt: null });
    const deps = { db, config, now: at(MIN) };
    await expect(redeemLink(req(), "invitation", { token, name: "ADA" }, deps)).rejects.toThrow(/taken/);
    await expect(redeemLink(req(), "bootstrap", { token, name: "vic" }, deps)).rejects.toThrow(/not valid here/);
    expect((await redeemLink(req(), "invitation", { token, name: "vic" }, deps)).body.user.role).toBe("viewer");
    await expect(redeemLink(req(), "invitation", { token, name: "vic2" }, deps)).rejects.toThrow(/not valid/);
  });

  it("expire", async () => {
    const { db, config } = await setup();
    const { token } = await createInvitation(db, { role: "operator", expiresInHours: 1, createdBy: "user:ada" }, t0);
    await expect(redeemLink(req(), "invitation", { token, name: "late" }, { db, config, now: at(61 * MIN) })).rejects.toThrow(/expired/);
  });
});

describe("API tokens", () => {
  it("are shown once, stored hashed, and stop at revocation or expiry", async () => {
    const { db } = await setup();
    const ada = await createUser(db, { name: "ada", role: "admin", source: "passkey", createdBy: "system" }, t0);
    const { token, apiToken } = await createApiToken(db, { name: "ci", role: "operator", expiresInDays: 1, createdBy: "user:ada", ownerId: ada.id }, t0);
    expect(token).toMatch(/^minos_[A-Za-z0-9_-]{43}$/);
    expect(apiToken.prefix).toBe(token.slice(0, 10));
    expect(apiToken.ownerId).toBe(ada.id);
    expect(JSON.stringify(await db.selectFrom("api_tokens").selectAll().execute())).not.toContain(token);
    expect(await resolveApiToken(db, token, at(MIN))).toMatchObject({ name: "ci", role: "operator" });
    expect(await resolveApiToken(db, `${token}x`, at(MIN))).toBeNull();
    expect(await resolveApiToken(db, token, at(24 * 60 * MIN))).toBeNull();
    const other = await createApiToken(db, { name: "bot", role: "viewer", expiresInDays: 1, createdBy: "user:ada", ownerId: ada.id }, t0);
    await revokeApiToken(db, other.apiToken.id, "user:ada", at(MIN));
    expect(await resolveApiToken(db, other.token, at(2 * MIN))).toBeNull();
  });

  it("act with at most their owner's current role, and stop the moment the owner is revoked", async () => {
    const { db } = await setup();
    const ada = await createUser(db, { name: "ada", role: "admin", source: "passkey", createdBy: "system" }, t0);
    const { token } = await createApiToken(db, { name: "deploy", role: "admin", expiresInDays: 30, createdBy: "user:ada", ownerId: ada.id }, t0);
    const { token: viewerToken } = await createApiToken(db, { name: "dash", role: "viewer", expiresInDays: 30, createdBy: "user:ada", ownerId: ada.id }, t0);
    expect((await resolveApiToken(db, token, at(MIN)))?.role).toBe("admin");
    await setUserRole(db, ada.id, "operator");
    expect((await resolveApiToken(db, token, at(2 * MIN)))?.role).toBe("operator");
    // Never above the token's own role, whatever the owner's.
    expect((await resolveApiToken(db, viewerToken, at(2 * MIN)))?.role).toBe("viewer");
    await setUserRole(db, ada.id, "admin");
    expect((await resolveApiToken(db, token, at(3 * MIN)))?.role).toBe("admin");
    await revokeUser(db, ada.id, "user:root", at(4 * MIN));
    expect(await resolveApiToken(db, token, at(4 * MIN))).toBeNull();
    expect(await resolveApiToken(db, viewerToken, at(4 * MIN))).toBeNull();
  });

  // Migration 7 upgraded SQLite files made before tokens had owners; a PostgreSQL store starts at the current schema.
  it.skipIf(testStore() === "postgres")("made before owners existed get their creator as owner (migration 7); ownerless ones stop working", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "minos-auth-m7-")), "minos.db");
    const old = new Database(file);
    old.exec("CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
    for (const m of migrations.filter((x) => x.id < 7)) {
      old.exec(m.sql);
      old.prepare("INSERT INTO schema_migrations VALUES (?, ?, ?)").run(m.id, m.name, t0.toISOString());
    }
    old.prepare("INSERT INTO users (id, name, role, source, created_at, created_by) VALUES ('u1', 'ada', 'operator', 'passkey', ?, 'system')").run(t0.toISOString());
    const insert = old.prepare("INSERT INTO api_tokens (id, name, token_hash, prefix, role, created_at, created_by, expires_at) VALUES (?, ?, ?, 'minos_xx', 'admin', ?, ?, ?)");
    const expires = at(24 * 60 * MIN).toISOString();
    insert.run("t1", "ci", sha256("minos_one"), t0.toISOString(), "user:ada", expires);
    insert.run("t2", "child", sha256("minos_two"), t0.toISOString(), "token:ci", expires);
    insert.run("t3", "orphan", sha256("minos_three"), t0.toISOString(), "user:gone", expires);
    old.close();
    const db = openDb(file);
    try {
      expect(await db.selectFrom("api_tokens").select(["id", "owner_id"]).orderBy("id").execute()).toEqual([
        { id: "t1", owner_id: "u1" },
        { id: "t2", owner_id: "u1" },
        { id: "t3", owner_id: null },
      ]);
      expect((await resolveApiToken(db, "minos_one", at(MIN)))?.role).toBe("operator");
      expect((await resolveApiToken(db, "minos_two", at(MIN)))?.role).toBe("operator");
      expect(await resolveApiToken(db, "minos_three", at(MIN))).toBeNull();
    } finally {
      await db.destroy();
    }
  });
});

describe("writes racing on two replicas", () => {
  /**
   * A second pool on the store (PostgreSQL), and a controlled transaction on the first that holds
   * its locks until the test commits it: the other replica's write runs meanwhile and has to wait.
   * On SQLite the one connection serialises them anyway, and the tests still hold.
   */
  async function twoReplicas() {
    const admin = inject("pgAdminUrl");
    const url = admin ? await createPgDatabase(admin) : undefined;
    const a = url ? openDb(url) : await testDb();
    const b = url ? openDb(url) : a;
    // Until the other replica's statement waits on a lock of the open transaction (PostgreSQL).
    const blocked = async () => {
      if (b === a) return;
      await waitFor(async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pg_locks WHERE NOT granted`.execute(a)).rows[0]!.n) > 0, 10_000, 10);
    };
    return { a, b, blocked, close: async () => (b === a ? undefined : void (await Promise.all([a.destroy(), b.destroy()]))) };
  }

  it("two users whose names differ only in case are never both created", async () => {
    const { a, b, blocked, close } = await twoReplicas();
    try {
      const t1 = await a.startTransaction().execute();
      await createUser(t1, { name: "Ada", role: "viewer", source: "passkey", createdBy: "system" }, t0);
      const second = b.transaction().execute((trx) => createUser(trx, { name: "ada", role: "viewer", source: "passkey", createdBy: "system" }, t0));
      const settled = second.then(
        () => "created",
        (e: unknown) => (e as { code?: string }).code,
      );
      await blocked();
      await t1.commit().execute();
      expect(await settled).toBe("conflict");
      expect((await a.selectFrom("users").select("name").execute()).map((u) => u.name)).toEqual(["Ada"]);
    } finally {
      await close();
    }
  });

  it("an invitation accepted while it is being revoked is reported accepted, not revoked", async () => {
    const { a, b, blocked, close } = await twoReplicas();
    try {
      const { invitation } = await createInvitation(a, { role: "viewer", expiresInHours: 1, createdBy: "user:root" }, t0);
      const t1 = await a.startTransaction().execute();
      expect(await consumeLink(t1, invitation.id, "user:vic", t0)).toBe(true);
      const revoke = cancelInvitation(userActor({ id: "root", name: "root", role: "admin" }), invitation.id, { db: b, now: at(MIN) } as ServiceDeps).then(
        () => "revoked",
        (e: unknown) => (e as { code?: string }).code,
      );
      await blocked();
      await t1.commit().execute();
      expect(await revoke).toBe("conflict");
      expect(await a.selectFrom("sign_in_links").select(["used_by", "revoked_at"]).where("id", "=", invitation.id).execute()).toEqual([{ used_by: "user:vic", revoked_at: null }]);
      expect((await listAudit(a, { limit: 10 })).filter((e) => e.action === "invitation.revoke")).toEqual([]);
    } finally {
      await close();
    }
  });

  it("a passkey revoked on two replicas at once is revoked, and audited, once", async () => {
    const { a, b, blocked, close } = await twoReplicas();
    try {
      const ada = await createUser(a, { name: "ada", role: "admin", source: "passkey", createdBy: "system" }, t0);
      await a
        .insertInto("passkeys")
        .values({ id: "pk1", user_id: ada.id, name: "laptop", public_key: "", counter: 0, transports: "[]", device_type: "singleDevice", backed_up: 0, created_at: t0.toISOString() })
        .execute();
      const actor = userActor(ada);
      // Replica A's revocation, mid-transaction (the row is locked until it commits).
      const t1 = await a.startTransaction().execute();
      await t1.updateTable("passkeys").set({ revoked_at: t0.toISOString() }).where("id", "=", "pk1").where("revoked_at", "is", null).execute();
      const second = revokePasskey(b, actor, ada.id, "pk1", at(MIN)).then(
        () => "revoked",
        (e: unknown) => (e as { code?: string }).code,
      );
      await blocked();
      await t1.commit().execute();
      expect(await second).toBe("not_found");
      expect(await a.selectFrom("passkeys").select("revoked_at").where("id", "=", "pk1").execute()).toEqual([{ revoked_at: t0.toISOString() }]);
      expect((await listAudit(a, { limit: 10 })).filter((e) => e.action === "passkey.revoke")).toEqual([]);
    } finally {
      await close();
    }
  });
});
