import { z } from "zod";

import { applyBodySchema } from "@/lib/schemas/configs";
import { applyNodeConfig } from "@/lib/server/configs/apply";
import { requireConfigAction } from "@/lib/server/fleet/talos-access";
import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { route } from "@/lib/server/http/route";

// POST /api/nodes/:node/config/apply – preflight, then apply in the chosen mode and record a revision (409 while another apply runs)
export const POST = route({ role: "admin", rateLimit: "manage", params: z.object({ node: z.string().min(1) }), body: applyBodySchema, maxBodyBytes: 5 * 1024 * 1024 }, async ({ params, body, actor }) => {
  const deps = defaultConfigDeps();
  await requireConfigAction(deps, actor, "applyConfig", { node: params.node });
  return applyNodeConfig(deps, params.node, body, { actor: actor.label });
});
