import { bulkIdParamsSchema } from "@/lib/schemas/bulk";
import { defaultBulkDeps } from "@/lib/server/bulk/deps";
import { getBulkRun } from "@/lib/server/bulk/service";
import { route } from "@/lib/server/http/route";

// GET /api/bulk/:id – a bulk run with each node's progress
export const GET = route({ role: "viewer", params: bulkIdParamsSchema }, ({ params }) => getBulkRun(defaultBulkDeps(), params.id));
