import "server-only";

import type { Passkey, Role, User } from "@/lib/schemas/auth";
import type { LegacyDb as Db } from "@/lib/server/platform/db/db";
import { randomId } from "@/lib/server/auth/crypto";
import { AppError } from "@/lib/server/platform/errors";

interface UserRow {
  id: string;
  name: string;
  role: Role;
  source: "passkey" | "oidc";
  created_at: string;
  created_by: string;
  last_sign_in_at: string | null;
  revoked_at: string | null;
}

interface PasskeyRow {
  id: string;
  user_id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  device_type: "singleDevice" | "multiDevice";
  backed_up: number;
}

/** The user behind an ID, revoked or not; null when none. */
export function getUser(db: Db, id: string): (Omit<User, "passkeys"> & { passkeyCount: number }) | null {
  const row = db.prepare("SELECT * FROM users WHERE id = ?").get(id) as UserRow | undefined;
  if (!row) return null;
  const count = db.prepare("SELECT COUNT(*) FROM passkeys WHERE user_id = ? AND revoked_at IS NULL").pluck().get(id) as number;
  return { ...toUser(row), passkeyCount: count };
}

/** Every user, oldest first, with their live passkeys. */
export function listUsers(db: Db): User[] {
  const rows = db.prepare("SELECT * FROM users ORDER BY created_at, name").all() as UserRow[];
  const keys = db.prepare("SELECT * FROM passkeys WHERE revoked_at IS NULL ORDER BY created_at").all() as PasskeyRow[];
  return rows.map((r) => ({ ...toUser(r), passkeys: keys.filter((k) => k.user_id === r.id).map(toPasskey) }));
}

export function countAllUsers(db: Db): number {
  return db.prepare("SELECT COUNT(*) FROM users").pluck().get() as number;
}

/** Creates a user; a taken name is a conflict the person can fix by choosing another. */
export function createUser(
  db: Db,
  input: { name: string; role: Role; source: "passkey" | "oidc"; createdBy: string; oidc?: { issuer: string; subject: string } },
  now: Date,
): Omit<User, "passkeys"> {
  const taken = db.prepare("SELECT 1 FROM users WHERE name = ? COLLATE NOCASE").get(input.name);
  if (taken) throw new AppError("conflict", `The name "${input.name}" is taken; choose another`);
  const id = randomId();
  db.prepare(
    "INSERT INTO users (id, name, role, source, oidc_issuer, oidc_subject, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  ).run(id, input.name, input.role, input.source, input.oidc?.issuer ?? null, input.oidc?.subject ?? null, now.toISOString(), input.createdBy);
  return getUser(db, id)!;
}

export function findOidcUser(db: Db, issuer: string, subject: string): (Omit<User, "passkeys"> & { passkeyCount: number }) | null {
  const id = db.prepare("SELECT id FROM users WHERE oidc_issuer = ? AND oidc_subject = ?").pluck().get(issuer, subject) as string | undefined;
  return id ? getUser(db, id) : null;
}

export function setUserRole(db: Db, id: string, role: Role): void {
  db.prepare("UPDATE users SET role = ? WHERE id = ?").run(role, id);
}

export function markSignedIn(db: Db, id: string, now: Date): void {
  db.prepare("UPDATE users SET last_sign_in_at = ? WHERE id = ?").run(now.toISOString(), id);
}

/** Whether removing admin rights from `id` would leave nobody able to manage Minos. */
export function isLastAdmin(db: Db, id: string): boolean {
  const admins = db.prepare("SELECT id FROM users WHERE role = 'admin' AND revoked_at IS NULL").pluck().all() as string[];
  return admins.length === 1 && admins[0] === id;
}

/** Revokes a user with their sessions and passkeys, in one transaction. The row stays for the audit trail. */
export function revokeUser(db: Db, id: string, by: string, now: Date): void {
  const at = now.toISOString();
  db.transaction(() => {
    db.prepare("UPDATE users SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL").run(at, by, id);
    db.prepare("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL").run(at, id);
    db.prepare("UPDATE passkeys SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL").run(at, id);
  })();
}

function toUser(r: UserRow): Omit<User, "passkeys"> {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    source: r.source,
    createdAt: r.created_at,
    createdBy: r.created_by,
    lastSignInAt: r.last_sign_in_at,
    revokedAt: r.revoked_at,
  };
}

function toPasskey(r: PasskeyRow): Passkey {
  return { id: r.id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, deviceType: r.device_type, backedUp: r.backed_up === 1 };
}
