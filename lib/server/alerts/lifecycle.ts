import type { Alert, AlertRuleId, AlertSeverity, Silence } from "@/lib/schemas/alerts";

import { isHeld, type Condition, type Hold, type RuleSettingsMap } from "./evaluate";

/**
 * The pure lifecycle of alerts: the open alerts as stored, this round's conditions, the rules and
 * the silences → what to write and whom to tell. No I/O: the engine (engine.ts) applies a step in
 * one fenced transaction, so a transition and its notices are persisted together or not at all.
 *
 * - new condition → `pending` (pendingSince now);
 * - held `forSeconds` → `firing` (notice `fired` unless silenced);
 * - severity raised above what was notified → `escalated`;
 * - critical, unacknowledged, `renotifyMinutes` since the last notice → `renotify`;
 * - a silence that ends while the alert still fires → `fired` then;
 * - condition gone → `resolved` (notice only if its firing was notified and no silence holds now);
 *   a pending alert whose condition goes away is dropped, never notified.
 */

/** An alert as the engine keeps it: the wire shape plus the highest severity notified (null: no firing notice went out). */
export interface AlertRecord extends Alert {
  notifiedSeverity: AlertSeverity | null;
}

export type NoticeReason = "fired" | "renotify" | "escalated" | "resolved";

export interface LifecycleStep {
  /** New or changed alerts (whole), to insert or update by id. */
  upserts: AlertRecord[];
  /** Pending alerts whose condition went away before they fired: deleted, never notified. */
  dropped: AlertRecord[];
  /** Notices to hand to delivery, in the transaction that writes `upserts`. */
  notices: { alert: AlertRecord; reason: NoticeReason }[];
}

const RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };
export const severityRank = (s: AlertSeverity) => RANK[s];

/** A silence holds at `now` when it has started, has not ended, and was not ended early. */
export function silenceActive(s: Pick<Silence, "startsAt" | "endsAt" | "expiredAt">, now: Date): boolean {
  const t = now.getTime();
  return s.expiredAt === null && Date.parse(s.startsAt) <= t && t < Date.parse(s.endsAt);
}

/** Every matcher given must equal; `node` matches the node's id or its hostname. */
export function silenceMatches(s: Pick<Silence, "matchers">, a: { rule: AlertRuleId; cluster: string; node: string | null; hostname: string | null }): boolean {
  const m = s.matchers;
  if (m.rule !== undefined && m.rule !== a.rule) return false;
  if (m.cluster !== undefined && m.cluster !== a.cluster) return false;
  if (m.node !== undefined && m.node !== a.node && m.node !== a.hostname) return false;
  return m.rule !== undefined || m.cluster !== undefined || m.node !== undefined;
}

/** The first active silence matching the alert (oldest first, as listed), or null. */
export function silenceFor(silences: readonly Silence[], a: Parameters<typeof silenceMatches>[1], now: Date): Silence | null {
  return silences.find((s) => silenceActive(s, now) && silenceMatches(s, a)) ?? null;
}

/**
 * One round. `open` are the stored pending and firing alerts; `skipped` rules keep theirs as they
 * are (their source failed this round), and so do alerts in a `held` scope (a node that did not
 * answer). `newId` names a new alert.
 */
export function step(
  open: readonly AlertRecord[],
  conditions: readonly Condition[],
  rules: RuleSettingsMap,
  silences: readonly Silence[],
  skipped: ReadonlySet<AlertRuleId>,
  now: Date,
  newId: () => string,
  held: readonly Hold[] = [],
): LifecycleStep {
  const out: LifecycleStep = { upserts: [], dropped: [], notices: [] };
  const iso = now.toISOString();
  const byKey = new Map(open.map((a) => [a.key, a]));
  const seen = new Set<string>();

  for (const c of conditions) {
    seen.add(c.key);
    const settings = rules.get(c.rule);
    if (!settings) continue;
    const prev = byKey.get(c.key);
    const a: AlertRecord = prev
      ? { ...prev, severity: c.severity, summary: c.summary, path: c.path, hostname: c.hostname ?? prev.hostname }
      : {
          id: newId(),
          key: c.key,
          rule: c.rule,
          severity: c.severity,
          status: "pending",
          cluster: c.cluster,
          node: c.node,
          hostname: c.hostname,
          object: c.object,
          summary: c.summary,
          path: c.path,
          // "Unreachable for 5 minutes" counts from the last answer, not from the poll that noticed.
          pendingSince: c.since !== undefined && Date.parse(c.since) < now.getTime() ? new Date(Date.parse(c.since)).toISOString() : iso,
          startsAt: null,
          endsAt: null,
          lastNotifiedAt: null,
          acknowledgedBy: null,
          acknowledgedAt: null,
          silencedBy: null,
          notifiedSeverity: null,
        };
    const silence = silenceFor(silences, a, now);
    a.silencedBy = silence?.id ?? null;
    let notice: NoticeReason | null = null;
    if (a.status === "pending" && now.getTime() - Date.parse(a.pendingSince) >= settings.forSeconds * 1000) {
      a.status = "firing";
      a.startsAt = iso;
      if (!silence) notice = "fired";
    } else if (a.status === "firing" && !silence) {
      if (a.notifiedSeverity === null) notice = "fired";
      else if (RANK[a.severity] > RANK[a.notifiedSeverity]) notice = "escalated";
      else if (a.severity === "critical" && a.acknowledgedAt === null && settings.renotifyMinutes > 0 && a.lastNotifiedAt !== null && now.getTime() - Date.parse(a.lastNotifiedAt) >= settings.renotifyMinutes * 60_000) {
        notice = "renotify";
      }
    }
    if (notice) {
      a.lastNotifiedAt = iso;
      a.notifiedSeverity = a.notifiedSeverity === null || RANK[a.severity] > RANK[a.notifiedSeverity] ? a.severity : a.notifiedSeverity;
      out.notices.push({ alert: a, reason: notice });
    }
    if (!prev || changed(prev, a)) out.upserts.push(a);
  }

  for (const prev of open) {
    if (seen.has(prev.key) || skipped.has(prev.rule) || isHeld(held, prev)) continue;
    if (prev.status === "pending") {
      out.dropped.push(prev);
      continue;
    }
    const silence = silenceFor(silences, prev, now);
    const a: AlertRecord = { ...prev, status: "resolved", endsAt: iso, silencedBy: silence?.id ?? prev.silencedBy };
    if (prev.notifiedSeverity !== null && !silence) {
      a.lastNotifiedAt = iso;
      out.notices.push({ alert: a, reason: "resolved" });
    }
    out.upserts.push(a);
  }
  return out;
}

const FIELDS = ["status", "severity", "summary", "path", "hostname", "startsAt", "lastNotifiedAt", "notifiedSeverity", "silencedBy"] as const;

function changed(a: AlertRecord, b: AlertRecord): boolean {
  return FIELDS.some((f) => a[f] !== b[f]);
}
