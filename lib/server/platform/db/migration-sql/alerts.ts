import "server-only";

/**
 * Migration 19 (lib/server/alerts): its SQL, here to keep migrations.ts short. Text and integer
 * columns only, so both stores run it as it is.
 * - `alert_rules`: an admin's settings over a built-in rule's defaults (no row: the defaults).
 * - `alerts`: one row per episode of a condition; at most one open (pending or firing) row per
 *   key, which the partial unique index holds on both stores even with two evaluators racing.
 * - `alert_silences`: matchers, an end, a reason; ended early by setting expired_at.
 * - `alert_evaluations`: when the evaluator last ran (one row), for GET /api/alerts on any replica.
 */
export const ALERT_TABLES = `
      CREATE TABLE alert_rules (
        rule_id TEXT PRIMARY KEY,
        enabled INTEGER NOT NULL,
        severity TEXT NOT NULL,
        for_seconds INTEGER NOT NULL,
        renotify_minutes INTEGER NOT NULL,
        params TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        alert_key TEXT NOT NULL,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL,
        cluster TEXT NOT NULL,
        node TEXT,
        hostname TEXT,
        object TEXT,
        summary TEXT NOT NULL,
        path TEXT NOT NULL,
        pending_since TEXT NOT NULL,
        starts_at TEXT,
        ends_at TEXT,
        last_notified_at TEXT,
        notified_severity TEXT,
        acknowledged_by TEXT,
        acknowledged_at TEXT,
        ack_comment TEXT,
        silenced_by TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX alerts_open_key ON alerts (alert_key) WHERE status <> 'resolved';
      CREATE INDEX alerts_status ON alerts (status, ends_at);
      CREATE TABLE alert_silences (
        id TEXT PRIMARY KEY,
        rule TEXT,
        cluster TEXT,
        node TEXT,
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        reason TEXT NOT NULL,
        created_by TEXT NOT NULL,
        expired_by TEXT,
        expired_at TEXT
      );
      CREATE INDEX alert_silences_ends ON alert_silences (ends_at);
      CREATE TABLE alert_evaluations (
        name TEXT PRIMARY KEY,
        evaluated_at TEXT NOT NULL
      );
    `;

/** Migration 21: the history list and the evaluator's prune of old resolved alerts read by status and age. */
export const ALERT_HISTORY_INDEX = `CREATE INDEX alerts_status_pending_since ON alerts (status, pending_since);`;
