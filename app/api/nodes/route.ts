import { z } from "zod";

import { nodeFieldsParamSchema } from "@/lib/server/fleet/node-fields";
import { listNodesResponse } from "@/lib/server/fleet/service";
import { route } from "@/lib/server/http/route";

// GET /api/nodes[?cluster=][&fields=a,b] – every node's health and each cluster's roll-up, from the poller's snapshot;
// ETag + If-None-Match → 304, br/gzip, `private, no-cache` (the wrapper checks the caller before any 304)
export const GET = route(
  { role: "viewer", query: z.object({ cluster: z.string().min(1).optional(), fields: nodeFieldsParamSchema.optional() }) },
  ({ query, request }) => listNodesResponse(request, query),
);
