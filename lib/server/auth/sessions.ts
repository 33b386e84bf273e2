import "server-only";

import type { Role } from "@/lib/schemas/auth";
import type { LegacyDb as Db } from "@/lib/server/platform/db/db";
import type { AuthConfig } from "@/lib/server/auth/config";
import { randomSecret, sha256 } from "@/lib/server/auth/crypto";

export type SignInMethod = "passkey" | "bootstrap" | "invitation" | "oidc";

export interface NewSession {
  /** The cookie value: shown to the browser once, stored only as its hash. */
  token: string;
  /** The CSRF token for the readable cookie; stored only as its hash too. */
  csrf: string;
  idHash: string;
  expiresAt: Date;
}

/** Starts a session: 256 random bits for the ID and for its CSRF token. */
export function createSession(
  db: Db,
  input: { userId: string; method: SignInMethod; ip?: string | null; userAgent?: string | null },
  config: Pick<AuthConfig, "sessionMaxMs">,
  now: Date,
): NewSession {
  const token = randomSecret();
  const csrf = randomSecret();
  const idHash = sha256(token);
  const expiresAt = new Date(now.getTime() + config.sessionMaxMs);
  db.prepare(
    "INSERT INTO sessions (id_hash, user_id, csrf_hash, method, created_at, last_seen_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  ).run(idHash, input.userId, sha256(csrf), input.method, now.toISOString(), now.toISOString(), expiresAt.toISOString(), input.ip ?? null, input.userAgent?.slice(0, 200) ?? null);
  return { token, csrf, idHash, expiresAt };
}

export interface ResolvedSession {
  idHash: string;
  csrfHash: string;
  expiresAt: Date;
  user: { id: string; name: string; role: Role };
}

/** Writing last_seen_at on every request would turn each read into a write; a minute is precise enough. */
const TOUCH_EVERY_MS = 60_000;

/**
 * The live session behind a cookie value, or null: unknown, revoked, its user revoked, idle for
 * longer than the idle timeout, or past its absolute lifetime.
 */
export function resolveSession(db: Db, token: string, config: Pick<AuthConfig, "sessionIdleMs">, now: Date): ResolvedSession | null {
  const idHash = sha256(token);
  const row = db
    .prepare(
      `SELECT s.id_hash, s.csrf_hash, s.last_seen_at, s.expires_at, s.revoked_at, u.id AS user_id, u.name, u.role, u.revoked_at AS user_revoked_at
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`,
    )
    .get(idHash) as
    | { id_hash: string; csrf_hash: string; last_seen_at: string; expires_at: string; revoked_at: string | null; user_id: string; name: string; role: Role; user_revoked_at: string | null }
    | undefined;
  if (!row || row.revoked_at || row.user_revoked_at) return null;
  const t = now.getTime();
  const lastSeen = Date.parse(row.last_seen_at);
  if (t >= Date.parse(row.expires_at) || t - lastSeen >= config.sessionIdleMs) return null;
  if (t - lastSeen >= TOUCH_EVERY_MS) db.prepare("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?").run(now.toISOString(), idHash);
  return { idHash, csrfHash: row.csrf_hash, expiresAt: new Date(row.expires_at), user: { id: row.user_id, name: row.name, role: row.role } };
}

export function revokeSession(db: Db, idHash: string, now: Date): void {
  db.prepare("UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL").run(now.toISOString(), idHash);
}

/** Drops sessions that can never be used again, so the table does not grow forever. */
export function pruneSessions(db: Db, now: Date): number {
  return db.prepare("DELETE FROM sessions WHERE expires_at <= ? OR revoked_at IS NOT NULL").run(now.toISOString()).changes;
}
