import { z } from "zod";

import { drainRequestSchema } from "@/lib/schemas/kubernetes";
import { route } from "@/lib/server/http/route";
import { drainNode } from "@/lib/server/kubernetes/service";

// POST /api/nodes/:node/drain – cordon and evict the node's pods (PDBs honoured); 200 when drained, 409 drain_blocked with the blocking pods and PDBs
export const POST = route({ role: "operator", params: z.object({ node: z.string().min(1) }), body: drainRequestSchema }, ({ params, body, actor, request }) =>
  drainNode(actor, params.node, body, undefined, request.signal),
);
