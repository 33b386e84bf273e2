import { mkdtempSync, readFileSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";

import { listAudit } from "@/lib/server/platform/audit-legacy";
import { sha256 } from "@/lib/server/auth/crypto";
import { BOOTSTRAP_FILE, createInvitation, ensureBootstrapLink, findLiveLink, previewLink } from "@/lib/server/auth/links";
import { createSession, resolveSession } from "@/lib/server/auth/sessions";
import { createApiToken, resolveApiToken, revokeApiToken } from "@/lib/server/auth/tokens";
import { createUser, revokeUser, setUserRole } from "@/lib/server/auth/users";
import { redeemLink } from "@/lib/server/auth/service";
import { buildAuthConfig } from "@/lib/server/auth/config";
import { parseEnv } from "@/lib/schemas/env";
import { migrateLegacy as migrate, openLegacyDb as openDb } from "@/lib/server/platform/db/db";
import { migrations } from "@/lib/server/platform/db/migrations";

const t0 = new Date("2026-03-01T10:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const MIN = 60_000;

function setup() {
  const stateDir = mkdtempSync(path.join(tmpdir(), "minos-auth-"));
  const db = openDb(":memory:");
  const config = buildAuthConfig(parseEnv({ MINOS_STATE_DIR: stateDir, MINOS_SESSION_IDLE_MINUTES: "30", MINOS_SESSION_MAX_HOURS: "8" }));
  return { db, config, stateDir };
}

const req = () => new Request("http://127.0.0.1:3215/api/auth/bootstrap", { method: "POST", headers: { host: "127.0.0.1:3215", "x-forwarded-proto": "http" } });

describe("sessions", () => {
  it("stores only hashes, and ends on idle and absolute timeouts", () => {
    const { db, config } = setup();
    const user = createUser(db, { name: "ada", role: "admin", source: "passkey", createdBy: "system" }, t0);
    const s = createSession(db, { userId: user.id, method: "passkey" }, config, t0);
    expect(s.token).toHaveLength(43); // 256 bits, base64url
    const row = db.prepare("SELECT * FROM sessions").get() as Record<string, string>;
    expect(JSON.stringify(row)).not.toContain(s.token);
    expect(row.id_hash).toBe(sha256(s.token));
    expect(row.csrf_hash).toBe(sha256(s.csrf));

    expect(resolveSession(db, s.token, config, at(29 * MIN))?.user.name).toBe("ada");
    // Activity at 29 min moved the idle clock: still alive at 58 min.
    expect(resolveSession(db, s.token, config, at(58 * MIN))).not.toBeNull();
    expect(resolveSession(db, s.token, config, at(58 * MIN + 30 * MIN))).toBeNull();

    const busy = createSession(db, { userId: user.id, method: "passkey" }, config, t0);
    for (let m = 20; m < 8 * 60; m += 20) expect(resolveSession(db, busy.token, config, at(m * MIN))).not.toBeNull();
    expect(resolveSession(db, busy.token, config, at(8 * 60 * MIN))).toBeNull();
  });

  it("dies with its user", () => {
    const { db, config } = setup();
    const user = createUser(db, { name: "bob", role: "viewer", source: "passkey", createdBy: "system" }, t0);
    const s = createSession(db, { userId: user.id, method: "passkey" }, config, t0);
    revokeUser(db, user.id, "user:ada", at(MIN));
    expect(resolveSession(db, s.token, config, at(2 * MIN))).toBeNull();
  });
});

describe("first-start link", () => {
  it("exists only while there are no users, lives 15 minutes, is written 0600, and works once", () => {
    const { db, config, stateDir } = setup();
    const link = ensureBootstrapLink(db, { origin: config.origin, stateDir }, t0)!;
    expect(link.created).toBe(true);
    expect(link.url).toMatch(/^http:\/\/localhost:3000\/setup#token=[A-Za-z0-9_-]{43}$/);
    const file = path.join(stateDir, BOOTSTRAP_FILE);
    expect(readFileSync(file, "utf8").trim()).toBe(link.url);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(db.prepare("SELECT * FROM sign_in_links").all())).not.toContain(link.url.split("=")[1]);

    // A restart inside the window re-reads the same link rather than minting a new one.
    expect(ensureBootstrapLink(db, { origin: config.origin, stateDir }, at(5 * MIN))).toMatchObject({ created: false, url: link.url });
    const token = link.url.split("#token=")[1]!;
    expect(previewLink(db, token, at(MIN))).toMatchObject({ kind: "bootstrap", role: "admin" });
    expect(() => findLiveLink(db, token, at(15 * MIN))).toThrow(/not valid/);

    const fresh = ensureBootstrapLink(db, { origin: config.origin, stateDir }, at(16 * MIN))!;
    expect(fresh.created).toBe(true);
    const freshToken = fresh.url.split("#token=")[1]!;
    const result = redeemLink(req(), "bootstrap", { token: freshToken, name: "ada" }, { db, config, now: at(17 * MIN) });
    expect(result.body.user).toMatchObject({ name: "ada", role: "admin" });
    expect(result.cookies.some((c) => c.startsWith("minos_session=") && c.includes("HttpOnly") && c.includes("SameSite=Lax"))).toBe(true);
    expect(result.cookies.some((c) => c.startsWith("minos_csrf=") && !c.includes("HttpOnly"))).toBe(true);
    expect(existsSync(file)).toBe(false);
    expect(() => redeemLink(req(), "bootstrap", { token: freshToken, name: "eve" }, { db, config, now: at(18 * MIN) })).toThrow(/not valid/);
    expect(ensureBootstrapLink(db, { origin: config.origin, stateDir }, at(20 * MIN))).toBeNull();

    const audit = listAudit(db, { limit: 10 }).map((e) => `${e.action} ${e.result} ${e.actor}`);
    expect(audit).toEqual(["auth.bootstrap refused anonymous", "auth.bootstrap ok user:ada"]);
  });
});

describe("invitations", () => {
  it("create a user with the invited role, once; a taken name leaves the link usable", () => {
    const { db, config } = setup();
    createUser(db, { name: "ada", role: "admin", source: "passkey", createdBy: "system" }, t0);
    const { token, invitation } = createInvitation(db, { role: "viewer", name: "vic", expiresInHours: 1, createdBy: "user:ada" }, t0);
    expect(invitation).toMatchObject({ role: "viewer", name: "vic", usedAt: null });
    const deps = { db, config, now: at(MIN) };
    expect(() => redeemLink(req(), "invitation", { token, name: "ADA" }, deps)).toThrow(/taken/);
    expect(() => redeemLink(req(), "bootstrap", { token, name: "vic" }, deps)).toThrow(/not valid here/);
    expect(redeemLink(req(), "invitation", { token, name: "vic" }, deps).body.user.role).toBe("viewer");
    expect(() => redeemLink(req(), "invitation", { token, name: "vic2" }, deps)).toThrow(/not valid/);
  });

  it("expire", () => {
    const { db, config } = setup();
    const { token } = createInvitation(db, { role: "operator", expiresInHours: 1, createdBy: "user:ada" }, t0);
    expect(() => redeemLink(req(), "invitation", { token, name: "late" }, { db, config, now: at(61 * MIN) })).toThrow(/expired/);
  });
});

describe("API tokens", () => {
  it("are shown once, stored hashed, and stop at revocation or expiry", () => {
    const { db } = setup();
    const ada = createUser(db, { name: "ada", role: "admin", source: "passkey", createdBy: "system" }, t0);
    const { token, apiToken } = createApiToken(db, { name: "ci", role: "operator", expiresInDays: 1, createdBy: "user:ada", ownerId: ada.id }, t0);
    expect(token).toMatch(/^minos_[A-Za-z0-9_-]{43}$/);
    expect(apiToken.prefix).toBe(token.slice(0, 10));
    expect(apiToken.ownerId).toBe(ada.id);
    expect(JSON.stringify(db.prepare("SELECT * FROM api_tokens").all())).not.toContain(token);
    expect(resolveApiToken(db, token, at(MIN))).toMatchObject({ name: "ci", role: "operator" });
    expect(resolveApiToken(db, `${token}x`, at(MIN))).toBeNull();
    expect(resolveApiToken(db, token, at(24 * 60 * MIN))).toBeNull();
    const other = createApiToken(db, { name: "bot", role: "viewer", expiresInDays: 1, createdBy: "user:ada", ownerId: ada.id }, t0);
    revokeApiToken(db, other.apiToken.id, "user:ada", at(MIN));
    expect(resolveApiToken(db, other.token, at(2 * MIN))).toBeNull();
  });

  it("act with at most their owner's current role, and stop the moment the owner is revoked", () => {
    const { db } = setup();
    const ada = createUser(db, { name: "ada", role: "admin", source: "passkey", createdBy: "system" }, t0);
    const { token } = createApiToken(db, { name: "deploy", role: "admin", expiresInDays: 30, createdBy: "user:ada", ownerId: ada.id }, t0);
    const { token: viewerToken } = createApiToken(db, { name: "dash", role: "viewer", expiresInDays: 30, createdBy: "user:ada", ownerId: ada.id }, t0);
    expect(resolveApiToken(db, token, at(MIN))?.role).toBe("admin");
    setUserRole(db, ada.id, "operator");
    expect(resolveApiToken(db, token, at(2 * MIN))?.role).toBe("operator");
    // Never above the token's own role, whatever the owner's.
    expect(resolveApiToken(db, viewerToken, at(2 * MIN))?.role).toBe("viewer");
    setUserRole(db, ada.id, "admin");
    expect(resolveApiToken(db, token, at(3 * MIN))?.role).toBe("admin");
    revokeUser(db, ada.id, "user:root", at(4 * MIN));
    expect(resolveApiToken(db, token, at(4 * MIN))).toBeNull();
    expect(resolveApiToken(db, viewerToken, at(4 * MIN))).toBeNull();
  });

  it("made before owners existed get their creator as owner (migration 7); ownerless ones stop working", () => {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
    for (const m of migrations.filter((x) => x.id < 7)) {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations VALUES (?, ?, ?)").run(m.id, m.name, t0.toISOString());
    }
    db.prepare("INSERT INTO users (id, name, role, source, created_at, created_by) VALUES ('u1', 'ada', 'operator', 'passkey', ?, 'system')").run(t0.toISOString());
    const insert = db.prepare("INSERT INTO api_tokens (id, name, token_hash, prefix, role, created_at, created_by, expires_at) VALUES (?, ?, ?, 'minos_xx', 'admin', ?, ?, ?)");
    const expires = at(24 * 60 * MIN).toISOString();
    insert.run("t1", "ci", sha256("minos_one"), t0.toISOString(), "user:ada", expires);
    insert.run("t2", "child", sha256("minos_two"), t0.toISOString(), "token:ci", expires);
    insert.run("t3", "orphan", sha256("minos_three"), t0.toISOString(), "user:gone", expires);
    migrate(db);
    expect(db.prepare("SELECT id, owner_id FROM api_tokens ORDER BY id").all()).toEqual([
      { id: "t1", owner_id: "u1" },
      { id: "t2", owner_id: "u1" },
      { id: "t3", owner_id: null },
    ]);
    expect(resolveApiToken(db, "minos_one", at(MIN))?.role).toBe("operator");
    expect(resolveApiToken(db, "minos_two", at(MIN))?.role).toBe("operator");
    expect(resolveApiToken(db, "minos_three", at(MIN))).toBeNull();
  });
});
