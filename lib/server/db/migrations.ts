import "server-only";

/**
 * Schema changes, applied in order, once each, inside one transaction per migration. Append
 * only: a released migration is never edited. Plain, portable SQL (no SQLite-only types) so a
 * PostgreSQL backend can replay the same list later.
 */
export const migrations: { id: number; name: string; sql: string }[] = [
  {
    id: 1,
    name: "audit log",
    sql: `
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
    `,
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
];
