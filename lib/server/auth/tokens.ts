import "server-only";

import type { ApiToken, Role } from "@/lib/schemas/auth";
import type { Db } from "@/lib/server/db/db";
import { randomId, randomSecret, sha256 } from "@/lib/server/auth/crypto";
import { AppError } from "@/lib/server/errors";

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
}

/** Creates a token: returns the secret once; only its SHA-256 is kept. */
export function createApiToken(db: Db, input: { name: string; role: Role; expiresInDays: number; createdBy: string }, now: Date): { token: string; apiToken: ApiToken } {
  const token = `${TOKEN_PREFIX}${randomSecret()}`;
  const id = randomId();
  db.prepare("INSERT INTO api_tokens (id, name, token_hash, prefix, role, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)").run(
    id,
    input.name,
    sha256(token),
    token.slice(0, TOKEN_PREFIX.length + 4),
    input.role,
    now.toISOString(),
    input.createdBy,
    new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString(),
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

/** The live token behind a bearer value, or null (unknown, revoked or expired). */
export function resolveApiToken(db: Db, bearer: string, now: Date): { id: string; name: string; role: Role } | null {
  if (!bearer.startsWith(TOKEN_PREFIX)) return null;
  const row = db.prepare("SELECT * FROM api_tokens WHERE token_hash = ?").get(sha256(bearer)) as TokenRow | undefined;
  if (!row || row.revoked_at || Date.parse(row.expires_at) <= now.getTime()) return null;
  // Coarse on purpose: automation may call every few seconds, and an hour says enough.
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > 3_600_000) {
    db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(now.toISOString(), row.id);
  }
  return { id: row.id, name: row.name, role: row.role };
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
  };
}
