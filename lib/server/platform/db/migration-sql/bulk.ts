import "server-only";

/**
 * Migration 18's tables (bulk runs), beside migrations.ts so that file stays within the size
 * bound. Append only, as every migration: never edit once released.
 */
export const BULK_TABLES = `
      CREATE TABLE bulk_runs (
        id TEXT PRIMARY KEY,
        cluster TEXT NOT NULL,
        action TEXT NOT NULL,
        params TEXT NOT NULL,
        selector TEXT NOT NULL,
        state TEXT NOT NULL,
        author TEXT NOT NULL,
        author_role TEXT NOT NULL,
        concurrency INTEGER NOT NULL,
        continue_on_failure INTEGER NOT NULL,
        failures_allowed INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX bulk_runs_state ON bulk_runs (state);
      CREATE INDEX bulk_runs_created ON bulk_runs (created_at);
      CREATE TABLE bulk_run_nodes (
        run_id TEXT NOT NULL REFERENCES bulk_runs (id),
        node TEXT NOT NULL,
        position INTEGER NOT NULL,
        role TEXT NOT NULL,
        hostname TEXT,
        state TEXT NOT NULL,
        message TEXT NOT NULL,
        boot_before TEXT,
        sent_at TEXT,
        started_at TEXT,
        finished_at TEXT,
        PRIMARY KEY (run_id, node)
      );
    `;
