import { drainActionParamsSchema } from "@/lib/schemas/drain";
import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { rolloutDrainAction } from "@/lib/server/configs/rollouts/service";
import { route } from "@/lib/server/http/route";

// POST /api/rollouts/:id/nodes/:node/(retry-drain|force-drain|skip-drain) – answer a node's blocked drain; 409 when it is not blocked
export const POST = route({ role: "operator", params: drainActionParamsSchema }, ({ params, actor }) =>
  rolloutDrainAction(defaultConfigDeps(), params.id, params.node, params.action, actor.label),
);
