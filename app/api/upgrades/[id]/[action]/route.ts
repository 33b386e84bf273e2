import { upgradeActionParamsSchema } from "@/lib/schemas/upgrades";
import { requireRole } from "@/lib/server/auth/guard";
import { route } from "@/lib/server/http/route";
import { withUpgradeRunner } from "@/lib/server/upgrades";

// POST /api/upgrades/:id/(pause|resume|cancel) – control a running plan (cancel needs an admin); 409 when the state forbids it
export const POST = route({ role: "operator", params: upgradeActionParamsSchema }, ({ params, actor }) => {
  if (params.action === "cancel") requireRole(actor, "admin");
  return withUpgradeRunner((r) => r.control(params.id, params.action, actor.label));
});
