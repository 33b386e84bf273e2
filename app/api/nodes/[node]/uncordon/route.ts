import { z } from "zod";

import { route } from "@/lib/server/http/route";
import { uncordonNode } from "@/lib/server/kubernetes/service";

// POST /api/nodes/:node/uncordon – make the node's Kubernetes Node schedulable again, audited
export const POST = route({ role: "operator", params: z.object({ node: z.string().min(1) }) }, ({ params, actor }) => uncordonNode(actor, params.node));
