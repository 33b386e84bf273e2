import { z } from "zod";

import { listNodesResponse } from "@/lib/server/fleet/service";
import { route } from "@/lib/server/http/route";

// GET /api/nodes[?cluster=] – every node's health and each cluster's roll-up, from the poller's snapshot
export const GET = route({ role: "viewer", query: z.object({ cluster: z.string().min(1).optional() }) }, ({ query }) => listNodesResponse(query.cluster));
