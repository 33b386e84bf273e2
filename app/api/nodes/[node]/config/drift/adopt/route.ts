import { z } from "zod";

import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { adoptDrift } from "@/lib/server/configs/drift";
import { route } from "@/lib/server/http/route";

// POST /api/nodes/:node/config/drift/adopt – record the running config as the latest revision
export const POST = route({ role: "admin", rateLimit: "manage", params: z.object({ node: z.string().min(1) }) }, ({ params, actor }) =>
  adoptDrift(defaultConfigDeps(), params.node, actor.label),
);
