import { z } from "zod";

import { dbIdSchema } from "@/lib/schemas/ids";
import { rollbackBodySchema } from "@/lib/schemas/configs";
import { rollbackNodeConfig } from "@/lib/server/configs/apply";
import { requireConfigAction } from "@/lib/server/fleet/talos-access";
import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { route } from "@/lib/server/http/route";

// POST /api/nodes/:node/config/revisions/:id/rollback – apply this revision again (preflight → apply), as a new revision
export const POST = route({ role: "admin", rateLimit: "manage", params: z.object({ node: z.string().min(1), id: dbIdSchema }), body: rollbackBodySchema }, async ({ params, body, actor }) => {
  const deps = defaultConfigDeps();
  await requireConfigAction(deps, actor, "rollbackConfig", { node: params.node });
  return rollbackNodeConfig(deps, params.node, params.id, body, actor.label);
});
