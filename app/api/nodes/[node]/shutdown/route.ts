import { z } from "zod";

import { shutdownBodySchema } from "@/lib/schemas/node-actions";
import { route } from "@/lib/server/http/route";
import { defaultNodeActionDeps, runNodeAction } from "@/lib/server/node-actions";

// POST /api/nodes/:node/shutdown – power the node off (Talos drains it unless forced); control planes past the quorum guard, audited
export const POST = route({ role: "operator", rateLimit: "manage", params: z.object({ node: z.string().min(1) }), body: shutdownBodySchema }, ({ params, body, actor }) =>
  runNodeAction(defaultNodeActionDeps(), params.node, { kind: "shutdown", ...body }, { actor }),
);
