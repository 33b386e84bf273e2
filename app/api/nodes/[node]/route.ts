import { z } from "zod";

import { getNodeDetailOrThrow } from "@/lib/server/fleet/service";
import { route } from "@/lib/server/http/route";

// GET /api/nodes/:node – one node's health, services, etcd role, history and stage timeline
export const GET = route({ role: "viewer", params: z.object({ node: z.string().min(1) }) }, ({ params }) => getNodeDetailOrThrow(params.node));
