import "server-only";

import { roleAtLeast } from "@/lib/auth/roles";
import type { ApiToken, Role } from "@/lib/schemas/auth";
import type { Db } from "@/lib/server/platform/db/db";
import type { ApiTokensTable } from "@/lib/server/platform/db/schema";
import { randomId, randomSecret, sha256 } from "@/lib/server/auth/crypto";
import { AppError } from "@/lib/server/platform/errors";

/** Every token starts with this, so secret scanners and people recognise one. */
export const TOKEN_PREFIX = "minos_";

/** What a listing shows: everything but the hash (and who revoked it, which the audit log says). */
const TOKEN_COLUMNS = ["id", "name", "prefix", "role", "created_at", "created_by", "expires_at", "last_used_at", "revoked_at", "owner_id"] as const;
type TokenRow = Pick<ApiTokensTable, (typeof TOKEN_COLUMNS)[number]>;

/**
 * Creates a token owned by the user `ownerId` (it acts with at most that user's current role):
 * returns the secret once; only its SHA-256 is kept.
 */
export async function createApiToken(
  db: Db,
  input: { name: string; role: Role; expiresInDays: number; createdBy: string; ownerId: string },
  now: Date,
): Promise<{ token: string; apiToken: ApiToken }> {
  const token = `${TOKEN_PREFIX}${randomSecret()}`;
  const id = randomId();
  await db
    .insertInto("api_tokens")
    .values({
      id,
      name: input.name,
      token_hash: sha256(token),
      prefix: token.slice(0, TOKEN_PREFIX.length + 4),
      role: input.role,
      created_at: now.toISOString(),
      created_by: input.createdBy,
      expires_at: new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString(),
      owner_id: input.ownerId,
    })
    .execute();
  return { token, apiToken: (await getApiToken(db, id))! };
}

export async function getApiToken(db: Db, id: string): Promise<ApiToken | null> {
  const row = await db.selectFrom("api_tokens").select(TOKEN_COLUMNS).where("id", "=", id).executeTakeFirst();
  return row ? toApiToken(row) : null;
}

export async function listApiTokens(db: Db): Promise<ApiToken[]> {
  const rows = await db.selectFrom("api_tokens").select(TOKEN_COLUMNS).orderBy("created_at", "desc").orderBy("id").execute();
  return rows.map(toApiToken);
}

export async function revokeApiToken(db: Db, id: string, by: string, now: Date): Promise<ApiToken> {
  if (!(await getApiToken(db, id))) throw new AppError("not_found", "No such API token");
  await db.updateTable("api_tokens").set({ revoked_at: now.toISOString(), revoked_by: by }).where("id", "=", id).where("revoked_at", "is", null).execute();
  return (await getApiToken(db, id))!;
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
 * its owner revoked. A demoted owner's token acts with the owner's new role at once. Read from
 * the database on every request (nothing cached), so a revocation holds on every replica at once.
 */
export async function resolveApiToken(db: Db, bearer: string, now: Date): Promise<ResolvedToken | null> {
  if (!bearer.startsWith(TOKEN_PREFIX)) return null;
  const row = await db
    .selectFrom("api_tokens as t")
    .leftJoin("users as u", "u.id", "t.owner_id")
    .select(["t.id", "t.name", "t.role", "t.expires_at", "t.last_used_at", "t.revoked_at", "t.owner_id", "u.role as owner_role", "u.revoked_at as owner_revoked_at"])
    .where("t.token_hash", "=", sha256(bearer))
    .executeTakeFirst();
  if (!row || row.revoked_at || Date.parse(row.expires_at) <= now.getTime()) return null;
  if (!row.owner_id || !row.owner_role || row.owner_revoked_at) return null;
  // Coarse on purpose: automation may call every few seconds, and an hour says enough.
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > 3_600_000) {
    await db.updateTable("api_tokens").set({ last_used_at: now.toISOString() }).where("id", "=", row.id).execute();
  }
  const own = row.role as Role;
  const owner = row.owner_role as Role;
  const role = roleAtLeast(owner, own) ? own : owner;
  return { id: row.id, name: row.name, role, ownerId: row.owner_id };
}

/** Revokes every live token a user owns (when the user is revoked), returning how many. */
export async function revokeTokensOwnedBy(db: Db, ownerId: string, by: string, now: Date): Promise<number> {
  const r = await db
    .updateTable("api_tokens")
    .set({ revoked_at: now.toISOString(), revoked_by: by })
    .where("owner_id", "=", ownerId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

function toApiToken(r: TokenRow): ApiToken {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    role: r.role as Role,
    createdAt: r.created_at,
    createdBy: r.created_by,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
    ownerId: r.owner_id,
  };
}
