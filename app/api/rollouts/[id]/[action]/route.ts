import { z } from "zod";

import { rolloutActionSchema } from "@/lib/schemas/configs";
import { requireRole } from "@/lib/server/auth/guard";
import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { rolloutAction } from "@/lib/server/configs/rollouts/service";
import { route } from "@/lib/server/http/route";

// POST /api/rollouts/:id/(pause|resume|cancel) – steer a rollout (cancel needs an admin); resume also continues past a failed node
export const POST = route({ role: "operator", params: z.object({ id: z.string().min(1), action: rolloutActionSchema }) }, ({ params, actor }) => {
  if (params.action === "cancel") requireRole(actor, "admin");
  return rolloutAction(defaultConfigDeps(), params.id, params.action, actor.label);
});
