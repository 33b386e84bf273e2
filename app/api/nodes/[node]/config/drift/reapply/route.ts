import { z } from "zod";

import { reapplyDriftBodySchema } from "@/lib/schemas/configs";
import { requireConfigAction } from "@/lib/server/fleet/talos-access";
import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { reapplyDrift } from "@/lib/server/configs/drift";
import { route } from "@/lib/server/http/route";

// POST /api/nodes/:node/config/drift/reapply – put Minos's last revision back on the node
export const POST = route({ role: "admin", rateLimit: "manage", params: z.object({ node: z.string().min(1) }), body: reapplyDriftBodySchema }, async ({ params, body, actor }) => {
  const deps = defaultConfigDeps();
  await requireConfigAction(deps, actor, "applyConfig", { node: params.node });
  return reapplyDrift(deps, params.node, body, actor.label);
});
