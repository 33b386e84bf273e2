import "server-only";

import { scrubJson, scrubText } from "@/lib/config/secret-values";
import type { AuditEntry } from "@/lib/schemas/audit";
import { dialectOf, type Db } from "@/lib/server/platform/db/db";

export type NewAuditEntry = Omit<AuditEntry, "id" | "at"> & { at?: Date };

/**
 * Appends one entry to the audit log. Records of changes are never updated or deleted; the only
 * exceptions are refused sign-ins and API tokens (`recordAuthFailure` counts repeats into one row,
 * `pruneAuthNoise` drops old ones). Callers write the entry in the same transaction as the change
 * it records where they can. Every field is bounded (`boundAuditEntry`), so no caller-supplied
 * value can make a row large.
 * Viewers read it, so details are scrubbed of secrets (lib/config/secret-values.ts scrubJson)
 * before they are bounded (a cut could hide a secret from the scrubber).
 */
export async function recordAudit(db: Db, entry: NewAuditEntry): Promise<number> {
  const e = boundAuditEntry(entry.details ? { ...entry, details: scrubJson(entry.details) } : entry);
  const row = await db
    .insertInto("audit_log")
    .values({ at: (entry.at ?? new Date()).toISOString(), actor: e.actor, action: e.action, target: e.target, result: e.result, details: e.details ? JSON.stringify(e.details) : null })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Field ceilings: generous for what Minos writes (names, IDs, error sentences), tiny next to a flood. */
export const AUDIT_LIMITS = { actor: 200, action: 100, target: 300, string: 2_000, items: 100, depth: 6, detailsBytes: 16_384 } as const;

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length - max} more characters)`;
}

function boundValue(v: unknown, depth: number): unknown {
  if (typeof v === "string") return clip(v, AUDIT_LIMITS.string);
  if (v === null || typeof v !== "object") return v;
  if (depth >= AUDIT_LIMITS.depth) return "(nested too deep)";
  if (Array.isArray(v)) {
    const items = v.slice(0, AUDIT_LIMITS.items).map((x) => boundValue(x, depth + 1));
    return v.length > AUDIT_LIMITS.items ? [...items, `(${v.length - AUDIT_LIMITS.items} more items)`] : items;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [k, x] of entries.slice(0, AUDIT_LIMITS.items)) out[clip(k, 100)] = boundValue(x, depth + 1);
  if (entries.length > AUDIT_LIMITS.items) out["(more keys)"] = entries.length - AUDIT_LIMITS.items;
  return out;
}

/** The entry with every field cut to `AUDIT_LIMITS`; details that are still too large become a note. */
export function boundAuditEntry<E extends Omit<NewAuditEntry, "at">>(entry: E): E {
  let details = entry.details ? (boundValue(entry.details, 0) as Record<string, unknown>) : entry.details;
  if (details) {
    const bytes = Buffer.byteLength(JSON.stringify(details));
    if (bytes > AUDIT_LIMITS.detailsBytes) details = { truncated: true, bytes, keys: Object.keys(details).slice(0, 20) };
  }
  return {
    ...entry,
    actor: clip(entry.actor, AUDIT_LIMITS.actor),
    action: clip(entry.action, AUDIT_LIMITS.action),
    target: clip(entry.target, AUDIT_LIMITS.target),
    details,
  };
}

/**
 * Refused authentication: the only rows retention may prune (`MINOS_AUDIT_RETENTION_DAYS`).
 * Successful sign-ins and every change stay for good.
 */
export const AUTH_NOISE_ACTIONS = ["auth.token", "auth.sign_in", "auth.bootstrap", "auth.invitation"] as const;

/** Repeated failures from one client are counted into one row per window. */
export const AUTH_FAILURE_WINDOW_MS = 10 * 60_000;
const MAX_REASONS = 5;

/**
 * Records a refused sign-in or API token without letting a flood flood the log: the first
 * failure of a client (`client`: its address or rate-limit bucket) in a window writes a row,
 * later ones in the same window bump that row's `count` and `reasons`. A `rateLimited` attempt
 * (answered 429) is not counted: only the first one in the window is noted (`limitedAt`), so a
 * client hammering past its limit costs no database write per request. Returns the row's id.
 */
export async function recordAuthFailure(
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
): Promise<number> {
  const result = f.result ?? "refused";
  const target = clip(`client:${f.client}`, AUDIT_LIMITS.target);
  const actor = clip(f.actor, AUDIT_LIMITS.actor);
  const since = new Date(Math.floor(now.getTime() / AUTH_FAILURE_WINDOW_MS) * AUTH_FAILURE_WINDOW_MS).toISOString();
  // A reason may quote what the caller or an identity provider sent; it becomes a key of `reasons`,
  // which the details scrub (key names only) would not look into.
  const reason = clip(scrubText(f.reason), 200);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("audit_log")
      .select(["id", "details"])
      .where("action", "=", f.action)
      .where("target", "=", target)
      .where("at", ">=", since)
      .where("actor", "=", actor)
      .where("result", "=", result)
      .orderBy("id", "desc")
      .limit(1)
      .$if(dialectOf(trx) === "postgres", (q) => q.forUpdate())
      .executeTakeFirst();
    if (!row) {
      const first = f.rateLimited ? { count: 0, reasons: {}, limitedAt: now.toISOString() } : { count: 1, reasons: { [reason]: 1 } };
      return recordAudit(trx, { at: now, actor, action: f.action, target, result, details: { ...f.details, ...first, lastAt: now.toISOString() } });
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
    await trx.updateTable("audit_log").set({ details: JSON.stringify(next) }).where("id", "=", row.id).execute();
    return row.id;
  });
}

/**
 * Drops refused sign-ins and API tokens older than `days` (0 keeps them). Never touches any other
 * row: records of changes and successful sign-ins are kept for good.
 */
export async function pruneAuthNoise(db: Db, days: number, now: Date): Promise<number> {
  if (days <= 0) return 0;
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
  const r = await db
    .deleteFrom("audit_log")
    .where("at", "<", cutoff)
    .where("result", "in", ["refused", "failed"])
    .where("action", "in", [...AUTH_NOISE_ACTIONS])
    .executeTakeFirst();
  return Number(r.numDeletedRows);
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
export async function listAudit(db: Db, { limit, before }: { limit: number; before?: number }): Promise<AuditEntry[]> {
  let q = db.selectFrom("audit_log").select(["id", "at", "actor", "action", "target", "result", "details"]).orderBy("id", "desc").limit(limit);
  if (before !== undefined) q = q.where("id", "<", before);
  const rows = (await q.execute()) as AuditRow[];
  return rows.map((r) => ({ ...r, details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null }));
}
