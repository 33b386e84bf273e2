import "server-only";

import type { LegacyDb as Db } from "@/lib/server/platform/db/db";
import { randomSecret, sha256 } from "@/lib/server/auth/crypto";

export type ChallengePurpose = "passkey-register" | "passkey-authenticate" | "oidc";

/** Pending WebAuthn and OIDC ceremonies: each lives a few minutes and is consumed once. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** Stores a ceremony's data; returns the handle for the HttpOnly challenge cookie. */
export function saveChallenge(db: Db, purpose: ChallengePurpose, data: unknown, userId: string | null, now: Date): string {
  const handle = randomSecret();
  db.prepare("DELETE FROM auth_challenges WHERE expires_at <= ?").run(now.toISOString());
  db.prepare("INSERT INTO auth_challenges (id_hash, purpose, user_id, data, expires_at) VALUES (?, ?, ?, ?, ?)").run(
    sha256(handle),
    purpose,
    userId,
    JSON.stringify(data),
    new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString(),
  );
  return handle;
}

/** Takes (reads and deletes) a ceremony's data; null when missing, expired, or of another purpose or user. */
export function takeChallenge<T>(db: Db, handle: string | undefined, purpose: ChallengePurpose, userId: string | null, now: Date): T | null {
  if (!handle) return null;
  const idHash = sha256(handle);
  const row = db.prepare("SELECT purpose, user_id, data, expires_at FROM auth_challenges WHERE id_hash = ?").get(idHash) as
    | { purpose: string; user_id: string | null; data: string; expires_at: string }
    | undefined;
  if (!row) return null;
  db.prepare("DELETE FROM auth_challenges WHERE id_hash = ?").run(idHash);
  if (row.purpose !== purpose || row.user_id !== userId || Date.parse(row.expires_at) <= now.getTime()) return null;
  return JSON.parse(row.data) as T;
}

/** Drops ceremonies nobody finished (the housekeeping sweep; a new ceremony also clears them). */
export function pruneChallenges(db: Db, now: Date): number {
  return db.prepare("DELETE FROM auth_challenges WHERE expires_at <= ?").run(now.toISOString()).changes;
}
