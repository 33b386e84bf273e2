import { z } from "zod";

import { applyBodySchema } from "@/lib/schemas/configs";
import { applyNodeConfig } from "@/lib/server/configs/apply";
import { defaultConfigDeps, LOCAL_USER } from "@/lib/server/configs/deps";
import { route } from "@/lib/server/route";

// POST /api/nodes/:node/config/apply – preflight, then apply in the chosen mode and record a revision (409 while another apply runs)
export const POST = route({ params: z.object({ node: z.string().min(1) }), body: applyBodySchema, maxBodyBytes: 5 * 1024 * 1024 }, ({ params, body }) =>
  applyNodeConfig(defaultConfigDeps(), params.node, body, { actor: LOCAL_USER }),
);
