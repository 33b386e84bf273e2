import "server-only";

import type { Role } from "@/lib/schemas/auth";
import type { Db } from "@/lib/server/platform/db/db";
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
export async function createSession(
  db: Db,
  input: { userId: string; method: SignInMethod; ip?: string | null; userAgent?: string | null },
  config: Pick<AuthConfig, "sessionMaxMs">,
  now: Date,
): Promise<NewSession> {
  const token = randomSecret();
  const csrf = randomSecret();
  const idHash = sha256(token);
  const expiresAt = new Date(now.getTime() + config.sessionMaxMs);
  await db
    .insertInto("sessions")
    .values({
      id_hash: idHash,
      user_id: input.userId,
      csrf_hash: sha256(csrf),
      method: input.method,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
      ip: input.ip ?? null,
      user_agent: input.userAgent?.slice(0, 200) ?? null,
    })
    .execute();
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
 * longer than the idle timeout, or past its absolute lifetime. Read from the database on every
 * request (no cache), so a sign-out or revocation on one replica holds on all at once.
 */
export async function resolveSession(db: Db, token: string, config: Pick<AuthConfig, "sessionIdleMs">, now: Date): Promise<ResolvedSession | null> {
  const idHash = sha256(token);
  const row = await db
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select(["s.csrf_hash", "s.last_seen_at", "s.expires_at", "s.revoked_at", "u.id as user_id", "u.name", "u.role", "u.revoked_at as user_revoked_at"])
    .where("s.id_hash", "=", idHash)
    .executeTakeFirst();
  if (!row || row.revoked_at || row.user_revoked_at) return null;
  const t = now.getTime();
  const lastSeen = Date.parse(row.last_seen_at);
  if (t >= Date.parse(row.expires_at) || t - lastSeen >= config.sessionIdleMs) return null;
  if (t - lastSeen >= TOUCH_EVERY_MS) await db.updateTable("sessions").set({ last_seen_at: now.toISOString() }).where("id_hash", "=", idHash).where("last_seen_at", "<", now.toISOString()).execute();
  return { idHash, csrfHash: row.csrf_hash, expiresAt: new Date(row.expires_at), user: { id: row.user_id, name: row.name, role: row.role as Role } };
}

export async function revokeSession(db: Db, idHash: string, now: Date): Promise<void> {
  await db.updateTable("sessions").set({ revoked_at: now.toISOString() }).where("id_hash", "=", idHash).where("revoked_at", "is", null).execute();
}

/** Drops sessions that can never be used again, so the table does not grow forever. */
export async function pruneSessions(db: Db, now: Date): Promise<number> {
  const r = await db
    .deleteFrom("sessions")
    .where((eb) => eb.or([eb("expires_at", "<=", now.toISOString()), eb("revoked_at", "is not", null)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
