import "server-only";

// Transitional: the synchronous SQLite-only audit writers, for code not yet moved to the query
// layer (lib/server/platform/db). Deleted when the last caller has moved to ./audit.

import { scrubJson, scrubText } from "@/lib/config/secret-values";
import type { AuditEntry } from "@/lib/schemas/audit";
import type { LegacyDb as Db } from "@/lib/server/platform/db/db";
import { AUDIT_LIMITS, AUTH_FAILURE_WINDOW_MS, AUTH_NOISE_ACTIONS, boundAuditEntry, type NewAuditEntry } from "@/lib/server/platform/audit";

export { AUDIT_LIMITS, AUTH_FAILURE_WINDOW_MS, AUTH_NOISE_ACTIONS, boundAuditEntry, type NewAuditEntry };

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length - max} more characters)`;
}
const MAX_REASONS = 5;

/**
 * Appends one entry to the audit log. Records of changes are never updated or deleted; the only
 * exceptions are refused sign-ins and API tokens (`recordAuthFailure` counts repeats into one row,
 * `pruneAuthNoise` drops old ones). Callers write the entry in the same transaction as the change
 * it records where they can. Every field is bounded (`boundAuditEntry`), so no caller-supplied
 * value can make a row large.
 * Viewers read it, so details are scrubbed of secrets (lib/config/secret-values.ts scrubJson)
 * before they are bounded (a cut could hide a secret from the scrubber).
 */
export function recordAudit(db: Db, entry: NewAuditEntry): number {
  const e = boundAuditEntry(entry.details ? { ...entry, details: scrubJson(entry.details) } : entry);
  const info = db
    .prepare("INSERT INTO audit_log (at, actor, action, target, result, details) VALUES (?, ?, ?, ?, ?, ?)")
    .run((entry.at ?? new Date()).toISOString(), e.actor, e.action, e.target, e.result, e.details ? JSON.stringify(e.details) : null);
  return Number(info.lastInsertRowid);
}

/**
 * Records a refused sign-in or API token without letting a flood flood the log: the first
 * failure of a client (`client`: its address or rate-limit bucket) in a window writes a row,
 * later ones in the same window bump that row's `count` and `reasons`. A `rateLimited` attempt
 * (answered 429) is not counted: only the first one in the window is noted (`limitedAt`), so a
 * client hammering past its limit costs no database write per request. Returns the row's id.
 */
export function recordAuthFailure(
  db: Db,
  f: {
    actor: string;
    action: (typeof AUTH_NOISE_ACTIONS)[number];
    client: string;
    reason: string;
    result?: "refused" | "failed";
    rateLimited?: boolean;
    details?: Record<string, unknown>;
  },
  now: Date,
): number {
  const result = f.result ?? "refused";
  const target = clip(`client:${f.client}`, AUDIT_LIMITS.target);
  const actor = clip(f.actor, AUDIT_LIMITS.actor);
  const since = new Date(Math.floor(now.getTime() / AUTH_FAILURE_WINDOW_MS) * AUTH_FAILURE_WINDOW_MS).toISOString();
  // A reason may quote what the caller or an identity provider sent; it becomes a key of `reasons`,
  // which the details scrub (key names only) would not look into.
  const reason = clip(scrubText(f.reason), 200);
  return db.transaction(() => {
    const row = db
      .prepare("SELECT id, details FROM audit_log WHERE action = ? AND target = ? AND at >= ? AND actor = ? AND result = ? ORDER BY id DESC LIMIT 1")
      .get(f.action, target, since, actor, result) as { id: number; details: string | null } | undefined;
    if (!row) {
      const first = f.rateLimited ? { count: 0, reasons: {}, limitedAt: now.toISOString() } : { count: 1, reasons: { [reason]: 1 } };
      return recordAudit(db, { at: now, actor, action: f.action, target, result, details: { ...f.details, ...first, lastAt: now.toISOString() } });
    }
    const d = (row.details ? JSON.parse(row.details) : {}) as { count?: number; reasons?: Record<string, number>; limitedAt?: string };
    if (f.rateLimited && d.limitedAt) return row.id;
    let next: Record<string, unknown>;
    if (f.rateLimited) {
      next = { ...d, limitedAt: now.toISOString(), lastAt: now.toISOString() };
    } else {
      const reasons = { ...d.reasons };
      const key = Object.hasOwn(reasons, reason) || Object.keys(reasons).length < MAX_REASONS ? reason : "(other)";
      reasons[key] = (reasons[key] ?? 0) + 1;
      next = { ...d, count: (d.count ?? 0) + 1, reasons, lastAt: now.toISOString() };
    }
    db.prepare("UPDATE audit_log SET details = ? WHERE id = ?").run(JSON.stringify(next), row.id);
    return row.id;
  })();
}

/**
 * Drops refused sign-ins and API tokens older than `days` (0 keeps them). Never touches any other
 * row: records of changes and successful sign-ins are kept for good.
 */
export function pruneAuthNoise(db: Db, days: number, now: Date): number {
  if (days <= 0) return 0;
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
  const marks = AUTH_NOISE_ACTIONS.map(() => "?").join(", ");
  return db.prepare(`DELETE FROM audit_log WHERE at < ? AND result IN ('refused', 'failed') AND action IN (${marks})`).run(cutoff, ...AUTH_NOISE_ACTIONS).changes;
}

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  result: AuditEntry["result"];
  details: string | null;
}

/** Newest first, `limit` at a time; `before` pages back by id. */
export function listAudit(db: Db, { limit, before }: { limit: number; before?: number }): AuditEntry[] {
  const rows = db
    .prepare("SELECT id, at, actor, action, target, result, details FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?")
    .all(before ?? Number.MAX_SAFE_INTEGER, limit) as AuditRow[];
  return rows.map((r) => ({ ...r, details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null }));
}
