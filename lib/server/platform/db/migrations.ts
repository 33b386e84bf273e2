import "server-only";

import { ETCD_BACKUPS } from "./migration-sql/etcd-backups";
import { BULK_TABLES } from "./migration-sql/bulk";
import { CA_ROTATION_TABLES } from "./migration-sql/ca-rotations";
import { ALERT_HISTORY_INDEX, ALERT_TABLES } from "./migration-sql/alerts";
import { ALERT_DELIVERY_TABLES } from "./migration-sql/alert-delivery";

/**
 * Schema changes, applied in order, once each. Append only: a released migration is never edited.
 * Plain, portable SQL that both stores run as it is; where PostgreSQL needs other words (an
 * identity column for SQLite's INTEGER PRIMARY KEY, BIGINT for millisecond times, DOUBLE
 * PRECISION for REAL), `postgres` holds its version of the same change.
 */
export interface Migration {
  id: number;
  name: string;
  sql: string;
  postgres?: string;
}

const AUDIT_LOG = `
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        result TEXT NOT NULL,
        details TEXT
      );
      CREATE INDEX audit_log_at ON audit_log (at);
    `;

const CONFIG_TABLES = `
      CREATE TABLE config_revisions (
        id INTEGER PRIMARY KEY,
        node TEXT NOT NULL,
        author TEXT NOT NULL,
        at TEXT NOT NULL,
        mode TEXT,
        result TEXT NOT NULL,
        source TEXT NOT NULL,
        message TEXT NOT NULL,
        config_hash TEXT NOT NULL,
        redacted_yaml TEXT NOT NULL,
        config_sealed TEXT NOT NULL,
        key_id TEXT NOT NULL,
        rollback_of INTEGER,
        rollout_id TEXT,
        try_until TEXT
      );
      CREATE INDEX config_revisions_node ON config_revisions (node, id);
      CREATE TABLE config_rollouts (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        target TEXT NOT NULL,
        mode TEXT NOT NULL,
        concurrency INTEGER NOT NULL,
        continue_on_failure INTEGER NOT NULL,
        config_hash TEXT NOT NULL,
        redacted_yaml TEXT NOT NULL,
        message TEXT NOT NULL
      );
      CREATE INDEX config_rollouts_state ON config_rollouts (state);
      CREATE TABLE config_rollout_nodes (
        rollout_id TEXT NOT NULL REFERENCES config_rollouts (id),
        node TEXT NOT NULL,
        position INTEGER NOT NULL,
        role TEXT NOT NULL,
        state TEXT NOT NULL,
        message TEXT NOT NULL,
        mode TEXT,
        config_hash TEXT,
        config_sealed TEXT,
        key_id TEXT,
        boot_before TEXT,
        revision_id INTEGER,
        started_at TEXT,
        finished_at TEXT,
        PRIMARY KEY (rollout_id, node)
      );
      CREATE TABLE config_drift (
        node TEXT PRIMARY KEY,
        checked_at TEXT NOT NULL,
        drifted INTEGER,
        running_hash TEXT NOT NULL,
        revision_id INTEGER,
        revision_hash TEXT,
        diff TEXT NOT NULL,
        changed_secrets TEXT NOT NULL
      );
    `;

const REPLICA_TABLES = `
      CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        fence INTEGER NOT NULL
      );
      CREATE TABLE replicas (
        id TEXT PRIMARY KEY,
        started_at TEXT NOT NULL,
        seen_at INTEGER NOT NULL,
        address TEXT
      );
      CREATE TABLE rate_buckets (
        key TEXT PRIMARY KEY,
        tokens REAL NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX rate_buckets_at ON rate_buckets (at);
      CREATE TABLE fleet_snapshots (
        cluster TEXT PRIMARY KEY,
        snapshot TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        owner TEXT NOT NULL
      );
    `;

// A plan's nodes are rows of their own: each carries a sealed render (up to a node config's size).
const MANIFEST_PLANS = `
      CREATE TABLE manifest_plans (
        id TEXT PRIMARY KEY,
        cluster TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL,
        base_revision INTEGER,
        mode TEXT NOT NULL,
        manifest_sealed TEXT NOT NULL,
        key_id TEXT NOT NULL,
        summary TEXT NOT NULL,
        not_in_manifest TEXT NOT NULL,
        applied_at TEXT,
        applied_by TEXT,
        applied_revision INTEGER,
        rollout_id TEXT
      );
      CREATE INDEX manifest_plans_cluster ON manifest_plans (cluster, created_at);
      CREATE TABLE manifest_plan_nodes (
        plan_id TEXT NOT NULL REFERENCES manifest_plans (id),
        node TEXT NOT NULL,
        position INTEGER NOT NULL,
        hostname TEXT NOT NULL,
        role TEXT NOT NULL,
        change TEXT NOT NULL,
        reboot INTEGER NOT NULL,
        mode TEXT,
        running_hash TEXT,
        config_hash TEXT,
        config_sealed TEXT,
        key_id TEXT,
        diff TEXT NOT NULL,
        issues TEXT NOT NULL,
        PRIMARY KEY (plan_id, node)
      );
      ALTER TABLE config_rollouts ADD COLUMN manifest_revision INTEGER;
      ALTER TABLE config_rollout_nodes ADD COLUMN expected_running_hash TEXT;
    `;

// A cluster's manifest history: revision numbers count per cluster (the unique index makes two
// saves racing for the same number fail rather than both win); the manifest text is sealed, since
// patches may carry registry passwords and tokens. The secrets bundle is talosctl's secrets.yaml.
const MANIFEST_TABLES = `
      CREATE TABLE manifest_revisions (
        id INTEGER PRIMARY KEY,
        cluster TEXT NOT NULL,
        revision INTEGER NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL,
        source TEXT NOT NULL,
        message TEXT NOT NULL,
        manifest_sealed TEXT NOT NULL,
        key_id TEXT NOT NULL
      );
      CREATE UNIQUE INDEX manifest_revisions_cluster ON manifest_revisions (cluster, revision);
      CREATE TABLE cluster_secrets (
        cluster TEXT PRIMARY KEY,
        bundle_sealed TEXT NOT NULL,
        key_id TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `;

/**
 * SQLite's INTEGER is 64-bit and its REAL a double; PostgreSQL's INTEGER is 32-bit, too small
 * for epoch milliseconds. For tables whose every INTEGER may hold such a number.
 */
function wideNumbers(sql: string): string {
  return sql.replace(/\bINTEGER\b/g, "BIGINT").replace(/\bREAL\b/g, "DOUBLE PRECISION");
}

/** SQLite's INTEGER PRIMARY KEY numbers rows itself; PostgreSQL says so with an identity column. */
function identityIds(sql: string): string {
  return sql.replace(/\bid INTEGER PRIMARY KEY,/g, "id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,");
}

export const migrations: Migration[] = [
  {
    id: 1,
    name: "audit log",
    sql: AUDIT_LOG,
    postgres: identityIds(AUDIT_LOG),
  },
  {
    id: 2,
    name: "upgrade plans",
    sql: `
      CREATE TABLE upgrade_plans (
        id TEXT PRIMARY KEY,
        cluster TEXT NOT NULL,
        target_version TEXT NOT NULL,
        image TEXT NOT NULL,
        strategy TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT,
        actor TEXT NOT NULL,
        checks TEXT NOT NULL,
        batches TEXT NOT NULL,
        etcd_members INTEGER,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX upgrade_plans_state ON upgrade_plans (state);
      CREATE INDEX upgrade_plans_created ON upgrade_plans (created_at);
      CREATE TABLE upgrade_nodes (
        plan_id TEXT NOT NULL REFERENCES upgrade_plans (id),
        node_id TEXT NOT NULL,
        address TEXT NOT NULL,
        hostname TEXT,
        role TEXT NOT NULL,
        batch INTEGER NOT NULL,
        position INTEGER NOT NULL,
        from_version TEXT,
        to_version TEXT NOT NULL,
        already_on_target INTEGER NOT NULL,
        state TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        state_changed_at TEXT,
        attempts INTEGER NOT NULL,
        boot_id_before TEXT,
        error TEXT,
        messages TEXT NOT NULL,
        PRIMARY KEY (plan_id, node_id)
      );
    `,
  },
  {
    id: 3,
    name: "config revisions, rollouts and drift",
    sql: CONFIG_TABLES,
    postgres: identityIds(CONFIG_TABLES),
  },
  {
    id: 4,
    name: "access control: users, passkeys, sessions, sign-in links, API tokens",
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        source TEXT NOT NULL,
        oidc_issuer TEXT,
        oidc_subject TEXT,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        last_sign_in_at TEXT,
        revoked_at TEXT,
        revoked_by TEXT
      );
      CREATE UNIQUE INDEX users_oidc ON users (oidc_issuer, oidc_subject);
      CREATE TABLE passkeys (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id),
        name TEXT NOT NULL,
        public_key TEXT NOT NULL,
        counter INTEGER NOT NULL,
        transports TEXT NOT NULL,
        device_type TEXT NOT NULL,
        backed_up INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT
      );
      CREATE INDEX passkeys_user ON passkeys (user_id);
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id),
        csrf_hash TEXT NOT NULL,
        method TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        ip TEXT,
        user_agent TEXT,
        revoked_at TEXT
      );
      CREATE INDEX sessions_user ON sessions (user_id);
      CREATE TABLE sign_in_links (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        role TEXT NOT NULL,
        name TEXT,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        used_by TEXT,
        revoked_at TEXT
      );
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT,
        revoked_by TEXT
      );
      CREATE TABLE auth_challenges (
        id_hash TEXT PRIMARY KEY,
        purpose TEXT NOT NULL,
        user_id TEXT,
        data TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
    `,
  },
  {
    id: 5,
    name: "config rollouts: failures the operator continued past",
    sql: `ALTER TABLE config_rollouts ADD COLUMN failures_allowed INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    id: 6,
    name: "talosconfigs uploaded in the UI (sealed: they hold client private keys)",
    sql: `
      CREATE TABLE cluster_uploads (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        contexts TEXT NOT NULL,
        uploaded_at TEXT NOT NULL,
        uploaded_by TEXT NOT NULL,
        content TEXT NOT NULL,
        key_id TEXT NOT NULL
      );
    `,
  },
  {
    id: 7,
    name: "api tokens belong to a user (their owner's current role caps theirs)",
    // Existing tokens get the user who created them; a token made by a token, that token's owner
    // (when its name is unambiguous). Tokens left without an owner stop working.
    sql: `
      ALTER TABLE api_tokens ADD COLUMN owner_id TEXT REFERENCES users (id);
      UPDATE api_tokens SET owner_id = (SELECT u.id FROM users u WHERE 'user:' || u.name = api_tokens.created_by);
      UPDATE api_tokens SET owner_id = (
        SELECT MIN(t.owner_id) FROM api_tokens t WHERE 'token:' || t.name = api_tokens.created_by AND t.owner_id IS NOT NULL
        HAVING COUNT(*) = 1
      ) WHERE owner_id IS NULL;
      CREATE INDEX api_tokens_owner ON api_tokens (owner_id);
    `,
  },
  {
    id: 8,
    name: "audit log: find a client's refused-authentication row of the current window",
    sql: `CREATE INDEX audit_log_action_target ON audit_log (action, target, at);`,
  },
  {
    id: 9,
    name: "several replicas: leases with fencing numbers, live replicas, shared rate limits, fleet snapshots",
    sql: REPLICA_TABLES,
    postgres: wideNumbers(REPLICA_TABLES),
  },
  {
    id: 10,
    name: "passkey signature counters are unsigned 32-bit (beyond PostgreSQL's INTEGER)",
    // SQLite's INTEGER holds 64 bits already: nothing to change there.
    sql: `SELECT 1;`,
    postgres: `ALTER TABLE passkeys ALTER COLUMN counter TYPE BIGINT;`,
  },
  {
    id: 11,
    name: "cluster manifests: revisions (sealed) and each cluster's secrets bundle (sealed)",
    sql: MANIFEST_TABLES,
    postgres: identityIds(MANIFEST_TABLES),
  },
  {
    id: 12,
    name: "manifest plans (per-node renders sealed, pinned to a manifest revision and each node's running config); rollouts name their manifest revision",
    sql: MANIFEST_PLANS,
  },
  {
    id: 13,
    name: "uploaded kubeconfigs, one per cluster (sealed)",
    // Text columns only: the same SQL on SQLite and PostgreSQL.
    sql: `
      CREATE TABLE cluster_kubeconfigs (
        cluster TEXT PRIMARY KEY,
        kubeconfig_sealed TEXT NOT NULL,
        key_id TEXT NOT NULL,
        server TEXT NOT NULL,
        uploaded_at TEXT NOT NULL,
        uploaded_by TEXT NOT NULL
      );
    `,
  },
  {
    id: 14,
    name: "drain around reboots: each upgrade node's planned steps and drain record, each rollout's drain policy and each of its nodes' drain record",
    sql: `
      ALTER TABLE upgrade_nodes ADD COLUMN steps TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE upgrade_nodes ADD COLUMN drain TEXT;
      ALTER TABLE config_rollout_nodes ADD COLUMN drain TEXT;
      ALTER TABLE config_rollouts ADD COLUMN drain_policy TEXT;
    `,
  },
  {
    id: 15,
    name: "kubernetes upgrades (upgrade-k8s's flow) and their steps",
    sql: `
      CREATE TABLE kubernetes_upgrades (
        id TEXT PRIMARY KEY,
        cluster TEXT NOT NULL,
        from_version TEXT,
        to_version TEXT NOT NULL,
        options TEXT NOT NULL,
        manifests_sync TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT,
        actor TEXT NOT NULL,
        checks TEXT NOT NULL,
        manifest_revision INTEGER,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX kubernetes_upgrades_state ON kubernetes_upgrades (state);
      CREATE INDEX kubernetes_upgrades_created ON kubernetes_upgrades (created_at);
      CREATE TABLE kubernetes_upgrade_steps (
        upgrade_id TEXT NOT NULL REFERENCES kubernetes_upgrades (id),
        step_index INTEGER NOT NULL,
        kind TEXT NOT NULL,
        node_id TEXT,
        address TEXT,
        hostname TEXT,
        images TEXT NOT NULL,
        description TEXT NOT NULL,
        state TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        state_changed_at TEXT,
        attempts INTEGER NOT NULL,
        error TEXT,
        messages TEXT NOT NULL,
        PRIMARY KEY (upgrade_id, step_index)
      );
    `,
  },
  {
    id: 16,
    name: "etcd backups (one file per snapshot on a Minos host) and each cluster's backup schedule",
    sql: ETCD_BACKUPS,
    postgres: wideNumbers(ETCD_BACKUPS),
  },
  {
    id: 17,
    name: "CA rotations (rotate-ca's flow) and their steps; uploads that override a talosconfig file context",
    sql: CA_ROTATION_TABLES,
  },
  {
    id: 18,
    name: "bulk runs (one action on a selection of a cluster's nodes) and their nodes",
    sql: BULK_TABLES,
  },
  { id: 19, name: "alerts: rule settings, alert episodes (one open per key), silences, the evaluator's last run", sql: ALERT_TABLES },
  {
    id: 20,
    name: "alert channels (secrets sealed), the notification outbox, the delivery log",
    sql: ALERT_DELIVERY_TABLES,
    postgres: identityIds(ALERT_DELIVERY_TABLES),
  },
  { id: 21, name: "alerts: an index for the history list and the evaluator's prune of old resolved alerts", sql: ALERT_HISTORY_INDEX },
];
