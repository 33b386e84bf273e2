import { z } from "zod";

import { preflightBodySchema } from "@/lib/schemas/configs";
import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { preflightNodeConfig } from "@/lib/server/configs/preflight";
import { route } from "@/lib/server/http/route";

// POST /api/nodes/:node/config/preflight – the node's dry-run verdict, the mode's effect and the redacted diff
export const POST = route({ role: "admin", rateLimit: "manage", params: z.object({ node: z.string().min(1) }), body: preflightBodySchema, maxBodyBytes: 5 * 1024 * 1024 }, ({ params, body, actor }) =>
  preflightNodeConfig(defaultConfigDeps(), params.node, body, actor.label),
);
