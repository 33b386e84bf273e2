import { z } from "zod";

import { preflightBodySchema } from "@/lib/schemas/configs";
import { defaultConfigDeps, LOCAL_USER } from "@/lib/server/configs/deps";
import { preflightNodeConfig } from "@/lib/server/configs/preflight";
import { route } from "@/lib/server/route";

// POST /api/nodes/:node/config/preflight – the node's dry-run verdict, the mode's effect and the redacted diff
export const POST = route({ params: z.object({ node: z.string().min(1) }), body: preflightBodySchema, maxBodyBytes: 5 * 1024 * 1024 }, ({ params, body }) =>
  preflightNodeConfig(defaultConfigDeps(), params.node, body, LOCAL_USER),
);
