import { z } from "zod";

import { revisionListQuerySchema } from "@/lib/schemas/configs";
import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { listRevisions } from "@/lib/server/configs/history";
import { route } from "@/lib/server/http/route";

// GET /api/nodes/:node/config/revisions – every config Minos applied to the node, newest first
export const GET = route({ role: "viewer", params: z.object({ node: z.string().min(1) }), query: revisionListQuerySchema }, ({ params, query }) =>
  listRevisions(defaultConfigDeps(), params.node, query.limit),
);
