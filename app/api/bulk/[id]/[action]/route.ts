import { bulkIdParamsSchema, bulkRunActionSchema } from "@/lib/schemas/bulk";
import { defaultBulkDeps } from "@/lib/server/bulk/deps";
import { bulkRunAction } from "@/lib/server/bulk/service";
import { route } from "@/lib/server/http/route";

// POST /api/bulk/:id/(pause|resume|cancel) – steer a bulk run; resume also continues past a failed node
export const POST = route({ role: "operator", params: bulkIdParamsSchema.extend({ action: bulkRunActionSchema }) }, ({ params, actor }) =>
  bulkRunAction(defaultBulkDeps(), params.id, params.action, actor.label),
);
