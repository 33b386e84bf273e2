/**
 * The alert engine's tables (migration 19, lib/server/alerts), kept beside schema.ts (which
 * re-exports them in `Database`) so neither file grows past its bound.
 */

/** An admin's settings for one built-in rule (replacing its defaults as a whole). */
export interface AlertRulesTable {
  rule_id: string;
  enabled: number;
  severity: string;
  for_seconds: number;
  renotify_minutes: number;
  /** JSON object: param key → number. */
  params: string;
  updated_by: string;
  updated_at: string;
}

/** One alert episode: pending → firing → resolved (or dropped while pending). */
export interface AlertsTable {
  id: string;
  alert_key: string;
  rule: string;
  severity: string;
  status: string;
  cluster: string;
  node: string | null;
  hostname: string | null;
  object: string | null;
  summary: string;
  path: string;
  pending_since: string;
  starts_at: string | null;
  ends_at: string | null;
  last_notified_at: string | null;
  /** The highest severity a firing notice went out with; null while none did (pending, or silenced when it fired). */
  notified_severity: string | null;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  ack_comment: string | null;
  silenced_by: string | null;
  updated_at: string;
}

export interface AlertSilencesTable {
  id: string;
  rule: string | null;
  cluster: string | null;
  node: string | null;
  starts_at: string;
  ends_at: string;
  reason: string;
  created_by: string;
  expired_by: string | null;
  expired_at: string | null;
}

export interface AlertEvaluationsTable {
  name: string;
  evaluated_at: string;
}
