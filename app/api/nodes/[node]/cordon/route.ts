import { z } from "zod";

import { route } from "@/lib/server/http/route";
import { cordonNode } from "@/lib/server/kubernetes/service";

// POST /api/nodes/:node/cordon – mark the node's Kubernetes Node unschedulable (with Minos's annotation), audited
export const POST = route({ role: "operator", params: z.object({ node: z.string().min(1) }) }, ({ params, actor }) => cordonNode(actor, params.node));
