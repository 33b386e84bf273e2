import { upgradeIdParamsSchema } from "@/lib/schemas/upgrades";
import { route } from "@/lib/server/http/route";
import { withUpgradeRunner } from "@/lib/server/upgrades";

// GET /api/upgrades/:id – one plan with its nodes, messages and progress
export const GET = route({ role: "viewer", params: upgradeIdParamsSchema }, ({ params }) => withUpgradeRunner((r) => r.getOrThrow(params.id)));
