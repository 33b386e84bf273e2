import { z } from "zod";

import { createRolloutBodySchema } from "@/lib/schemas/configs";
import { requireConfigAction } from "@/lib/server/fleet/talos-access";
import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { createRollout, listRollouts } from "@/lib/server/configs/rollouts/service";
import { route } from "@/lib/server/http/route";

// GET /api/rollouts – config rollouts, newest first
export const GET = route({ role: "viewer", query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }) }, ({ query }) =>
  listRollouts(defaultConfigDeps(), query.limit),
);

// POST /api/rollouts – preflight every target, then roll the manifest out (or stop with each node's reason)
export const POST = route({ role: "admin", rateLimit: "manage", body: createRolloutBodySchema, maxBodyBytes: 5 * 1024 * 1024 }, async ({ body, actor }) => {
  const deps = defaultConfigDeps();
  await requireConfigAction(deps, actor, "startRollout", { cluster: body.target.cluster });
  return Response.json(await createRollout(deps, body, actor.label), { status: 201 });
});
