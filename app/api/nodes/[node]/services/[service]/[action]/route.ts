import { z } from "zod";

import { serviceActionSchema, serviceIdSchema } from "@/lib/schemas/node-actions";
import { route } from "@/lib/server/http/route";
import { defaultNodeActionDeps, runNodeAction } from "@/lib/server/node-actions";

// POST /api/nodes/:node/services/:service/(start|stop|restart) – Talos's ServiceStart/Stop/Restart (Talos's refusal as it says it), audited
export const POST = route(
  { role: "operator", rateLimit: "manage", params: z.object({ node: z.string().min(1), service: serviceIdSchema, action: serviceActionSchema }) },
  ({ params, actor }) => runNodeAction(defaultNodeActionDeps(), params.node, { kind: "service", action: params.action, service: params.service }, { actor }),
);
