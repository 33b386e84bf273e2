import "server-only";

import type { Db } from "@/lib/server/platform/db/db";
import { randomSecret, sha256 } from "@/lib/server/auth/crypto";

export type ChallengePurpose = "passkey-register" | "passkey-authenticate" | "oidc";

/** Pending WebAuthn and OIDC ceremonies: each lives a few minutes and is consumed once. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/**
 * Stores a ceremony's data; returns the handle for the HttpOnly challenge cookie. The ceremony
 * lives in the database, so its second step may reach any replica.
 */
export async function saveChallenge(db: Db, purpose: ChallengePurpose, data: unknown, userId: string | null, now: Date): Promise<string> {
  const handle = randomSecret();
  await db.deleteFrom("auth_challenges").where("expires_at", "<=", now.toISOString()).execute();
  await db
    .insertInto("auth_challenges")
    .values({ id_hash: sha256(handle), purpose, user_id: userId, data: JSON.stringify(data), expires_at: new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString() })
    .execute();
  return handle;
}

/**
 * Takes (reads and deletes) a ceremony's data; null when missing, expired, or of another purpose
 * or user. One DELETE … RETURNING, so of two requests racing with the same handle (on two
 * replicas, say) exactly one gets the data.
 */
export async function takeChallenge<T>(db: Db, handle: string | undefined, purpose: ChallengePurpose, userId: string | null, now: Date): Promise<T | null> {
  if (!handle) return null;
  const row = await db
    .deleteFrom("auth_challenges")
    .where("id_hash", "=", sha256(handle))
    .returning(["purpose", "user_id", "data", "expires_at"])
    .executeTakeFirst();
  if (!row) return null;
  if (row.purpose !== purpose || row.user_id !== userId || Date.parse(row.expires_at) <= now.getTime()) return null;
  return JSON.parse(row.data) as T;
}

/** Drops ceremonies nobody finished (the housekeeping sweep; a new ceremony also clears them). */
export async function pruneChallenges(db: Db, now: Date): Promise<number> {
  const r = await db.deleteFrom("auth_challenges").where("expires_at", "<=", now.toISOString()).executeTakeFirst();
  return Number(r.numDeletedRows);
}
