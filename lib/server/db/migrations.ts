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
];
