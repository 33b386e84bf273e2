import { z } from "zod";

import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { getRollout } from "@/lib/server/configs/rollouts/service";
import { route } from "@/lib/server/http/route";

// GET /api/rollouts/:id – a rollout with its per-node results
export const GET = route({ role: "viewer", params: z.object({ id: z.string().min(1) }) }, ({ params }) => getRollout(defaultConfigDeps(), params.id));
