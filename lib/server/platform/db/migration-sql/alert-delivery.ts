import "server-only";

/**
 * Migration 20 (lib/server/alerts/delivery): notification channels, the outbox, the delivery log.
 * A channel's secrets (the webhook URL and secret, the Slack URL, the SMTP password) live only in
 * `secrets_sealed` (the secret box, bound to the channel id); `target` is the redacted view.
 * Deliveries keep the channel's name and type so the log outlives a deleted channel.
 */
export const ALERT_DELIVERY_TABLES = `
      CREATE TABLE alert_channels (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        target TEXT NOT NULL,
        settings TEXT NOT NULL,
        secrets_sealed TEXT NOT NULL,
        key_id TEXT NOT NULL,
        has_secret INTEGER NOT NULL,
        severities TEXT NOT NULL,
        clusters TEXT,
        state TEXT NOT NULL,
        consecutive_failures INTEGER NOT NULL,
        failing_since TEXT,
        last_error TEXT,
        last_delivery_at TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE alert_notifications (
        id INTEGER PRIMARY KEY,
        alert_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT NOT NULL,
        notice TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at TEXT NOT NULL,
        claimed_by TEXT,
        claimed_until TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX alert_notifications_due ON alert_notifications (state, channel_id, id);
      CREATE TABLE alert_deliveries (
        id INTEGER PRIMARY KEY,
        notification_id INTEGER,
        channel_id TEXT NOT NULL,
        channel_name TEXT NOT NULL,
        channel_type TEXT NOT NULL,
        alert_id TEXT,
        kind TEXT NOT NULL,
        rule TEXT,
        severity TEXT,
        cluster TEXT,
        attempt INTEGER NOT NULL,
        at TEXT NOT NULL,
        ok INTEGER NOT NULL,
        status_code INTEGER,
        error TEXT,
        duration_ms INTEGER NOT NULL,
        next_attempt_at TEXT
      );
      CREATE INDEX alert_deliveries_at ON alert_deliveries (at);
      CREATE INDEX alert_deliveries_channel ON alert_deliveries (channel_id, at);
    `;
