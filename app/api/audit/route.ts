import { auditQuerySchema } from "@/lib/schemas/audit";
import { MAX_DB_INTEGER } from "@/lib/schemas/ids";
import { listAudit } from "@/lib/server/platform/audit";
import { getDb } from "@/lib/server/platform/db/db";
import { route } from "@/lib/server/http/route";

/** Audit ids are INTEGER (32-bit on PostgreSQL): every id is below a `before` beyond it, which PostgreSQL would refuse to compare. */
const MAX_AUDIT_ID = MAX_DB_INTEGER;

// GET /api/audit – the audit log, newest first (?limit=, ?before=<id> to page back)
export const GET = route({ role: "viewer", query: auditQuerySchema }, async ({ query }) => ({
  entries: await listAudit(getDb(), { limit: query.limit, before: query.before !== undefined && query.before <= MAX_AUDIT_ID ? query.before : undefined }),
}));
