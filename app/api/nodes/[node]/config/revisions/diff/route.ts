import { z } from "zod";

import { revisionDiffQuerySchema } from "@/lib/schemas/configs";
import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { diffRevisions } from "@/lib/server/configs/history";
import { route } from "@/lib/server/http/route";

// GET /api/nodes/:node/config/revisions/diff?from=&to= – redacted diff of two revisions (to=running: against the node now)
export const GET = route({ role: "viewer", params: z.object({ node: z.string().min(1) }), query: revisionDiffQuerySchema }, ({ params, query }) =>
  diffRevisions(defaultConfigDeps(), params.node, query.from, query.to),
);
