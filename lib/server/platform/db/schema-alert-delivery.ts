import type { Generated } from "kysely";

/** Migration 20's tables (lib/server/alerts/delivery), as Kysely sees them. */

export interface AlertChannelsTable {
  id: string;
  type: string;
  name: string;
  enabled: number;
  /** Redacted: scheme://host/path, `hooks.slack.com (incoming webhook)`, `host:port → to`. */
  target: string;
  /** JSON of the non-secret settings (SMTP host, port, security, username, from, to). */
  settings: string;
  /** Sealed JSON of the secrets (webhook or Slack URL, webhook secret, SMTP password). */
  secrets_sealed: string;
  key_id: string;
  has_secret: number;
  /** JSON array of severities. */
  severities: string;
  /** JSON array of cluster names; null: every cluster. */
  clusters: string | null;
  state: string;
  consecutive_failures: number;
  failing_since: string | null;
  last_error: string | null;
  last_delivery_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface AlertNotificationsTable {
  id: Generated<number>;
  alert_id: string;
  channel_id: string;
  status: string;
  reason: string;
  /** JSON of the AlertNotice (never a secret). */
  notice: string;
  /** pending → sent | failed (gave up) | cancelled (channel disabled or deleted). */
  state: string;
  attempts: number;
  next_attempt_at: string;
  claimed_by: string | null;
  claimed_until: string | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface AlertDeliveriesTable {
  id: Generated<number>;
  notification_id: number | null;
  channel_id: string;
  channel_name: string;
  channel_type: string;
  alert_id: string | null;
  kind: string;
  rule: string | null;
  severity: string | null;
  cluster: string | null;
  attempt: number;
  at: string;
  ok: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  next_attempt_at: string | null;
}
