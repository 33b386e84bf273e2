import { z } from "zod";

import { nodeConfigQuerySchema } from "@/lib/schemas/node-config";
import { getRunningConfig } from "@/lib/server/configs/running";
import { route } from "@/lib/server/route";

// GET /api/nodes/:node/config – the node's running config, secrets redacted unless ?reveal=1
export const GET = route(
  { params: z.object({ node: z.string().min(1) }), query: nodeConfigQuerySchema },
  ({ params, query }) => getRunningConfig(params.node, { reveal: query.reveal }),
);
