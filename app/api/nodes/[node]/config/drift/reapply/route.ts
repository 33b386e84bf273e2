import { z } from "zod";

import { reapplyDriftBodySchema } from "@/lib/schemas/configs";
import { defaultConfigDeps, LOCAL_USER } from "@/lib/server/configs/deps";
import { reapplyDrift } from "@/lib/server/configs/drift";
import { route } from "@/lib/server/route";

// POST /api/nodes/:node/config/drift/reapply – put Minos's last revision back on the node
export const POST = route({ params: z.object({ node: z.string().min(1) }), body: reapplyDriftBodySchema }, ({ params, body }) =>
  reapplyDrift(defaultConfigDeps(), params.node, body, LOCAL_USER),
);
