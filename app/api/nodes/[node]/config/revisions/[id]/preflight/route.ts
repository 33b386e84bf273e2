import { z } from "zod";

import { dbIdSchema } from "@/lib/schemas/ids";
import { rollbackBodySchema } from "@/lib/schemas/configs";
import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { preflightRevision } from "@/lib/server/configs/history";
import { route } from "@/lib/server/http/route";

// POST /api/nodes/:node/config/revisions/:id/preflight – preview a rollback to this revision
export const POST = route({ role: "admin", rateLimit: "manage", params: z.object({ node: z.string().min(1), id: dbIdSchema }), body: rollbackBodySchema }, ({ params, body, actor }) =>
  preflightRevision(defaultConfigDeps(), params.node, params.id, body, actor.label),
);
