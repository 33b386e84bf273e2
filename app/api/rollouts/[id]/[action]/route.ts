import { z } from "zod";

import { rolloutActionSchema } from "@/lib/schemas/configs";
import { defaultConfigDeps, LOCAL_USER } from "@/lib/server/configs/deps";
import { rolloutAction } from "@/lib/server/configs/rollouts/service";
import { route } from "@/lib/server/route";

// POST /api/rollouts/:id/(pause|resume|cancel) – steer a rollout; resume also continues past a failed node
export const POST = route({ params: z.object({ id: z.string().min(1), action: rolloutActionSchema }) }, ({ params }) =>
  rolloutAction(defaultConfigDeps(), params.id, params.action, LOCAL_USER),
);
