import "server-only";

/** Migration 16 (lib/server/backups): its SQL, here to keep migrations.ts short. */
// A backup row outlives its file only while it is failed or being written; retention deletes both.
// size_bytes may pass 2^31 (an etcd database grows to 8 GiB): BIGINT on PostgreSQL.
export const ETCD_BACKUPS = `
      CREATE TABLE etcd_backups (
        id TEXT PRIMARY KEY,
        cluster TEXT NOT NULL,
        state TEXT NOT NULL,
        origin TEXT NOT NULL,
        actor TEXT NOT NULL,
        host TEXT NOT NULL,
        file_name TEXT,
        size_bytes INTEGER,
        sha256 TEXT,
        revision INTEGER,
        raft_index TEXT,
        member_id TEXT,
        member_hostname TEXT,
        node TEXT,
        error TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX etcd_backups_cluster ON etcd_backups (cluster, started_at);
      CREATE TABLE etcd_backup_schedules (
        cluster TEXT PRIMARY KEY,
        enabled INTEGER NOT NULL,
        interval_minutes INTEGER NOT NULL,
        retain_count INTEGER NOT NULL,
        max_age_days INTEGER,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL
      );
    `;
