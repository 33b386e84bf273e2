import "server-only";

import { roleAtLeast } from "@/lib/auth/roles";
import type { ApiToken, Role } from "@/lib/schemas/auth";
import type { LegacyDb as Db } from "@/lib/server/platform/db/db";
import { randomId, randomSecret, sha256 } from "@/lib/server/auth/crypto";
import { AppError } from "@/lib/server/platform/errors";

/** Every token starts with this, so secret scanners and people recognise one. */
export const TOKEN_PREFIX = "minos_";

interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  created_at: string;
  created_by: string;
  expires_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  owner_id: string | null;
}

/**
 * Creates a token owned by the user `ownerId` (it acts with at most that user's current role):
 * returns the secret once; only its SHA-256 is kept.
 */
export function createApiToken(
  db: Db,
  input: { name: string; role: Role; expiresInDays: number; createdBy: string; ownerId: string },
  now: Date,
): { token: string; apiToken: ApiToken } {
  const token = `${TOKEN_PREFIX}${randomSecret()}`;
  const id = randomId();
  db.prepare("INSERT INTO api_tokens (id, name, token_hash, prefix, role, created_at, created_by, expires_at, owner_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)").run(
    id,
    input.name,
    sha256(token),
    token.slice(0, TOKEN_PREFIX.length + 4),
    input.role,
    now.toISOString(),
    input.createdBy,
    new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString(),
    input.ownerId,
  );
  return { token, apiToken: getApiToken(db, id)! };
}

export function getApiToken(db: Db, id: string): ApiToken | null {
  const row = db.prepare("SELECT * FROM api_tokens WHERE id = ?").get(id) as TokenRow | undefined;
  return row ? toApiToken(row) : null;
}

export function listApiTokens(db: Db): ApiToken[] {
  return (db.prepare("SELECT * FROM api_tokens ORDER BY created_at DESC").all() as TokenRow[]).map(toApiToken);
}

export function revokeApiToken(db: Db, id: string, by: string, now: Date): ApiToken {
  const token = getApiToken(db, id);
  if (!token) throw new AppError("not_found", "No such API token");
  db.prepare("UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL").run(now.toISOString(), by, id);
  return getApiToken(db, id)!;
}

/** What a live token acts as: its role capped by its owner's current role. */
export interface ResolvedToken {
  id: string;
  name: string;
  /** min(the token's own role, its owner's role now). */
  role: Role;
  ownerId: string;
}

/**
 * The live token behind a bearer value, or null: unknown, revoked, expired, without an owner, or
 * its owner revoked. A demoted owner's token acts with the owner's new role at once.
 */
export function resolveApiToken(db: Db, bearer: string, now: Date): ResolvedToken | null {
  if (!bearer.startsWith(TOKEN_PREFIX)) return null;
  const row = db
    .prepare(
      `SELECT t.*, u.role AS owner_role, u.revoked_at AS owner_revoked_at
       FROM api_tokens t LEFT JOIN users u ON u.id = t.owner_id WHERE t.token_hash = ?`,
    )
    .get(sha256(bearer)) as (TokenRow & { owner_role: Role | null; owner_revoked_at: string | null }) | undefined;
  if (!row || row.revoked_at || Date.parse(row.expires_at) <= now.getTime()) return null;
  if (!row.owner_id || !row.owner_role || row.owner_revoked_at) return null;
  // Coarse on purpose: automation may call every few seconds, and an hour says enough.
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > 3_600_000) {
    db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(now.toISOString(), row.id);
  }
  const role = roleAtLeast(row.owner_role, row.role) ? row.role : row.owner_role;
  return { id: row.id, name: row.name, role, ownerId: row.owner_id };
}

/** Revokes every live token a user owns (when the user is revoked), returning how many. */
export function revokeTokensOwnedBy(db: Db, ownerId: string, by: string, now: Date): number {
  return db.prepare("UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE owner_id = ? AND revoked_at IS NULL").run(now.toISOString(), by, ownerId).changes;
}

function toApiToken(r: TokenRow): ApiToken {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    role: r.role,
    createdAt: r.created_at,
    createdBy: r.created_by,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
    ownerId: r.owner_id,
  };
}
