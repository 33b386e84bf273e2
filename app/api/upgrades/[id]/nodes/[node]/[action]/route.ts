import { drainActionParamsSchema } from "@/lib/schemas/drain";
import { route } from "@/lib/server/http/route";
import { withUpgradeRunner } from "@/lib/server/upgrades";

// POST /api/upgrades/:id/nodes/:node/(retry-drain|force-drain|skip-drain) – answer a node's blocked drain; 409 when it is not blocked
export const POST = route({ role: "operator", params: drainActionParamsSchema }, ({ params, actor }) =>
  withUpgradeRunner((r) => r.drainAction(params.id, params.node, params.action, actor.label)),
);
