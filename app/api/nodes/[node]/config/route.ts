import { z } from "zod";

import { nodeConfigQuerySchema } from "@/lib/schemas/node-config";
import { mayRevealSecrets } from "@/lib/server/auth/guard";
import { getRunningConfig } from "@/lib/server/configs/running";
import { route } from "@/lib/server/http/route";

// GET /api/nodes/:node/config – the node's running config, secrets redacted unless an admin asks with ?reveal=1
export const GET = route(
  { role: "viewer", params: z.object({ node: z.string().min(1) }), query: nodeConfigQuerySchema },
  ({ params, query, actor }) => getRunningConfig(params.node, { reveal: mayRevealSecrets(actor, query.reveal) }),
);
