import "server-only";

/** Migration 17 (kept here so migrations.ts stays one screen per change): CA rotations, their steps, and overriding uploads. */
export const CA_ROTATION_TABLES = `
      CREATE TABLE ca_rotations (
        id TEXT PRIMARY KEY,
        cluster TEXT NOT NULL,
        talos INTEGER NOT NULL,
        kubernetes INTEGER NOT NULL,
        state TEXT NOT NULL,
        reason TEXT,
        actor TEXT NOT NULL,
        nodes TEXT NOT NULL,
        options TEXT NOT NULL,
        new_cas TEXT NOT NULL,
        secrets TEXT NOT NULL,
        key_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX ca_rotations_state ON ca_rotations (state);
      CREATE INDEX ca_rotations_created ON ca_rotations (created_at);
      CREATE TABLE ca_rotation_steps (
        rotation_id TEXT NOT NULL REFERENCES ca_rotations (id),
        step_index INTEGER NOT NULL,
        api TEXT NOT NULL,
        kind TEXT NOT NULL,
        address TEXT,
        hostname TEXT,
        description TEXT NOT NULL,
        state TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        error TEXT,
        message TEXT,
        PRIMARY KEY (rotation_id, step_index)
      );
      ALTER TABLE cluster_uploads ADD COLUMN overrides_file INTEGER NOT NULL DEFAULT 0;
    `;
