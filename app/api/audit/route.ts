import { auditQuerySchema } from "@/lib/schemas/audit";
import { listAudit } from "@/lib/server/platform/audit-legacy";
import { getLegacyDb as getDb } from "@/lib/server/platform/db/db";
import { route } from "@/lib/server/http/route";

// GET /api/audit – the audit log, newest first (?limit=, ?before=<id> to page back)
export const GET = route({ role: "viewer", query: auditQuerySchema }, ({ query }) => ({ entries: listAudit(getDb(), query) }));
