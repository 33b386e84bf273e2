import { z } from "zod";

import { rebootBodySchema } from "@/lib/schemas/node-actions";
import { route } from "@/lib/server/http/route";
import { defaultNodeActionDeps, runNodeAction } from "@/lib/server/node-actions";

// POST /api/nodes/:node/reboot – drain, then reboot (default or power cycle); control planes past the quorum guard, audited
export const POST = route({ role: "operator", rateLimit: "manage", params: z.object({ node: z.string().min(1) }), body: rebootBodySchema }, ({ params, body, actor }) =>
  runNodeAction(defaultNodeActionDeps(), params.node, { kind: "reboot", ...body }, { actor }),
);
