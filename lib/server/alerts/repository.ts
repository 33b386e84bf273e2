import "server-only";

import { sql } from "kysely";

import type { AlertRuleId, AlertSeverity, AlertStatus, AlertsQuery, Silence, SilenceMatchers } from "@/lib/schemas/alerts";
import type { Db } from "@/lib/server/platform/db/db";
import type { AlertsTable, AlertSilencesTable } from "@/lib/server/platform/db/schema-alerts";

import type { AlertRecord } from "./lifecycle";

/** The alerts and silences tables (migration 19); rows ↔ records, nothing more. */

function toRecord(r: AlertsTable): AlertRecord {
  return {
    id: r.id,
    key: r.alert_key,
    rule: r.rule as AlertRuleId,
    severity: r.severity as AlertSeverity,
    status: r.status as AlertStatus,
    cluster: r.cluster,
    node: r.node,
    hostname: r.hostname,
    object: r.object,
    summary: r.summary,
    path: r.path,
    pendingSince: r.pending_since,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    lastNotifiedAt: r.last_notified_at,
    acknowledgedBy: r.acknowledged_by,
    acknowledgedAt: r.acknowledged_at,
    silencedBy: r.silenced_by,
    notifiedSeverity: r.notified_severity as AlertSeverity | null,
  };
}

function toRow(a: AlertRecord, at: string): Omit<AlertsTable, "ack_comment"> {
  return {
    id: a.id,
    alert_key: a.key,
    rule: a.rule,
    severity: a.severity,
    status: a.status,
    cluster: a.cluster,
    node: a.node,
    hostname: a.hostname,
    object: a.object,
    summary: a.summary,
    path: a.path,
    pending_since: a.pendingSince,
    starts_at: a.startsAt,
    ends_at: a.endsAt,
    last_notified_at: a.lastNotifiedAt,
    notified_severity: a.notifiedSeverity,
    acknowledged_by: a.acknowledgedBy,
    acknowledged_at: a.acknowledgedAt,
    silenced_by: a.silencedBy,
    updated_at: at,
  };
}

/** The pending and firing alerts (what the lifecycle steps from). */
export async function listOpenAlerts(db: Db): Promise<AlertRecord[]> {
  return (await db.selectFrom("alerts").selectAll().where("status", "<>", "resolved").orderBy("pending_since").execute()).map(toRecord);
}

export async function getAlert(db: Db, id: string): Promise<AlertRecord | null> {
  const r = await db.selectFrom("alerts").selectAll().where("id", "=", id).executeTakeFirst();
  return r ? toRecord(r) : null;
}

/** Inserts new alerts and updates changed ones; an acknowledgement made meanwhile is kept (the engine never writes it). */
export async function saveAlerts(trx: Db, alerts: readonly AlertRecord[], known: ReadonlySet<string>, at: Date): Promise<void> {
  const iso = at.toISOString();
  for (const a of alerts) {
    const row = toRow(a, iso);
    if (known.has(a.id)) {
      const { id, acknowledged_by: _by, acknowledged_at: _at, ...rest } = row;
      await trx.updateTable("alerts").set(rest).where("id", "=", id).execute();
    } else {
      await trx.insertInto("alerts").values({ ...row, ack_comment: null }).execute();
    }
  }
}

export async function deleteAlerts(trx: Db, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await trx.deleteFrom("alerts").where("id", "in", [...ids]).where("status", "=", "pending").execute();
}

/** GET /api/alerts's list: `active` pending + firing (most severe, oldest first), `history` resolved (newest first). */
export async function queryAlerts(db: Db, q: AlertsQuery): Promise<AlertRecord[]> {
  let sel = db.selectFrom("alerts").selectAll();
  if (q.state === "active") sel = sel.where("status", "<>", "resolved");
  else if (q.state !== "all") sel = sel.where("status", "=", q.state === "history" ? "resolved" : q.state);
  if (q.cluster) sel = sel.where("cluster", "=", q.cluster);
  if (q.node) sel = sel.where("node", "=", q.node);
  if (q.rule) sel = sel.where("rule", "=", q.rule);
  if (q.severity) sel = sel.where("severity", "=", q.severity);
  const newest = q.state === "history" || q.state === "all";
  const urgency = sql<number>`CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END`;
  const rows = await (newest ? sel.orderBy("pending_since", "desc") : sel.orderBy(urgency).orderBy("pending_since")).orderBy("id").limit(q.limit).execute();
  return rows.map(toRecord);
}

/**
 * Deletes resolved alerts that ended before `before`; returns how many. An alert ends after it
 * began, so the `pending_since` bound adds nothing but lets migration 21's (status,
 * pending_since) index find the rows.
 */
export async function pruneResolvedAlerts(trx: Db, before: Date): Promise<number> {
  const iso = before.toISOString();
  const r = await trx.deleteFrom("alerts").where("status", "=", "resolved").where("pending_since", "<", iso).where("ends_at", "<", iso).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Acknowledges an open alert nobody acknowledged yet; false when it is resolved or was acknowledged first (a race lost). */
export async function acknowledge(db: Db, id: string, by: string, comment: string | null, at: Date): Promise<boolean> {
  const r = await db
    .updateTable("alerts")
    .set({ acknowledged_by: by, acknowledged_at: at.toISOString(), ack_comment: comment, updated_at: at.toISOString() })
    .where("id", "=", id)
    .where("status", "<>", "resolved")
    .where("acknowledged_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function evaluatedAt(db: Db): Promise<string | null> {
  return (await db.selectFrom("alert_evaluations").select("evaluated_at").where("name", "=", "evaluator").executeTakeFirst())?.evaluated_at ?? null;
}

export async function setEvaluatedAt(trx: Db, at: Date): Promise<void> {
  const iso = at.toISOString();
  await trx
    .insertInto("alert_evaluations")
    .values({ name: "evaluator", evaluated_at: iso })
    .onConflict((oc) => oc.column("name").doUpdateSet({ evaluated_at: iso }))
    .execute();
}

// ── silences ─────────────────────────────────────────────────────────────────────────────

function toSilence(r: AlertSilencesTable, now: Date): Silence {
  const matchers: Silence["matchers"] = {};
  if (r.rule !== null) matchers.rule = r.rule as AlertRuleId;
  if (r.cluster !== null) matchers.cluster = r.cluster;
  if (r.node !== null) matchers.node = r.node;
  const t = now.getTime();
  return {
    id: r.id,
    matchers,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    reason: r.reason,
    createdBy: r.created_by,
    expiredBy: r.expired_by,
    expiredAt: r.expired_at,
    active: r.expired_at === null && Date.parse(r.starts_at) <= t && t < Date.parse(r.ends_at),
  };
}

/** The most silences of the past (ended or expired) a list shows; the active ones are always all listed. */
export const SILENCE_HISTORY_LIMIT = 1_000;

/** The silences holding at `now`, oldest first (the engine's order: the first that matches names the alert's silence). */
export async function listSilences(db: Db, now: Date): Promise<Silence[]> {
  const rows = await db.selectFrom("alert_silences").selectAll().where("expired_at", "is", null).where("ends_at", ">", now.toISOString()).orderBy("starts_at").orderBy("id").limit(10_000).execute();
  return rows.map((r) => toSilence(r, now)).filter((s) => s.active);
}

/**
 * GET /api/alerts/silences: the active silences, newest first, then (`all`) the newest
 * `historyLimit` that ended. The limit is applied in SQL to the newest, so new silences never
 * fall off the end of a long history.
 */
export async function listSilencesNewestFirst(db: Db, now: Date, state: "active" | "all", historyLimit = SILENCE_HISTORY_LIMIT): Promise<Silence[]> {
  const iso = now.toISOString();
  const active = (await listSilences(db, now)).reverse();
  if (state === "active") return active;
  const ended = await db
    .selectFrom("alert_silences")
    .selectAll()
    .where((eb) => eb.or([eb("expired_at", "is not", null), eb("ends_at", "<=", iso)]))
    .orderBy("starts_at", "desc")
    .orderBy("id", "desc")
    .limit(historyLimit)
    .execute();
  return [...active, ...ended.map((r) => toSilence(r, now))];
}

export async function insertSilence(db: Db, s: { id: string; matchers: SilenceMatchers; endsAt: string; reason: string; createdBy: string }, now: Date): Promise<Silence> {
  const row: AlertSilencesTable = {
    id: s.id,
    rule: s.matchers.rule ?? null,
    cluster: s.matchers.cluster ?? null,
    node: s.matchers.node ?? null,
    starts_at: now.toISOString(),
    ends_at: s.endsAt,
    reason: s.reason,
    created_by: s.createdBy,
    expired_by: null,
    expired_at: null,
  };
  await db.insertInto("alert_silences").values(row).execute();
  return toSilence(row, now);
}

export async function getSilence(db: Db, id: string, now: Date): Promise<Silence | null> {
  const r = await db.selectFrom("alert_silences").selectAll().where("id", "=", id).executeTakeFirst();
  return r ? toSilence(r, now) : null;
}

export async function expireSilence(db: Db, id: string, by: string, now: Date): Promise<Silence | null> {
  await db.updateTable("alert_silences").set({ expired_by: by, expired_at: now.toISOString() }).where("id", "=", id).where("expired_at", "is", null).execute();
  return getSilence(db, id, now);
}
