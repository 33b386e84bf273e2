import { z } from "zod";

import { dbIdSchema } from "@/lib/schemas/ids";
import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { getRevision } from "@/lib/server/configs/history";
import { route } from "@/lib/server/http/route";

// GET /api/nodes/:node/config/revisions/:id – one revision with its config, redacted
export const GET = route({ role: "viewer", params: z.object({ node: z.string().min(1), id: dbIdSchema }) }, ({ params }) =>
  getRevision(defaultConfigDeps(), params.node, params.id),
);
