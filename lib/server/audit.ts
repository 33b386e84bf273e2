import "server-only";

import { scrubJson } from "@/lib/config/secret-values";
import type { AuditEntry } from "@/lib/schemas/audit";
import type { Db } from "@/lib/server/db/db";

export type NewAuditEntry = Omit<AuditEntry, "id" | "at"> & { at?: Date };

/**
 * Appends one entry to the audit log. The log is append-only: nothing updates or deletes rows.
 * Viewers read it, so details are scrubbed of secrets (lib/config/secret-values.ts scrubJson).
 * Callers write the entry in the same transaction as the change it records where they can.
 */
export function recordAudit(db: Db, entry: NewAuditEntry): number {
  const info = db
    .prepare("INSERT INTO audit_log (at, actor, action, target, result, details) VALUES (?, ?, ?, ?, ?, ?)")
    .run((entry.at ?? new Date()).toISOString(), entry.actor, entry.action, entry.target, entry.result, entry.details ? JSON.stringify(scrubJson(entry.details)) : null);
  return Number(info.lastInsertRowid);
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
