import { z } from "zod";

import { createRolloutBodySchema } from "@/lib/schemas/configs";
import { defaultConfigDeps, LOCAL_USER } from "@/lib/server/configs/deps";
import { createRollout, listRollouts } from "@/lib/server/configs/rollouts/service";
import { route } from "@/lib/server/route";

// GET /api/rollouts – config rollouts, newest first
export const GET = route({ query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }) }, ({ query }) =>
  listRollouts(defaultConfigDeps(), query.limit),
);

// POST /api/rollouts – preflight every target, then roll the manifest out (or stop with each node's reason)
export const POST = route({ body: createRolloutBodySchema, maxBodyBytes: 5 * 1024 * 1024 }, async ({ body }) =>
  Response.json(await createRollout(defaultConfigDeps(), body, LOCAL_USER), { status: 201 }),
);
