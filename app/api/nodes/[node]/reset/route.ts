import { z } from "zod";

import { resetBodySchema } from "@/lib/schemas/node-actions";
import { route } from "@/lib/server/http/route";
import { defaultNodeActionDeps, runNodeAction } from "@/lib/server/node-actions";

// POST /api/nodes/:node/reset – wipe the node (confirm = its hostname, else 422); control planes past the quorum guard, audited
export const POST = route({ role: "admin", rateLimit: "manage", params: z.object({ node: z.string().min(1) }), body: resetBodySchema }, ({ params, body, actor }) =>
  runNodeAction(defaultNodeActionDeps(), params.node, { kind: "reset", ...body }, { actor }),
);
