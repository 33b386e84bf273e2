import { z } from "zod";

import { defaultConfigDeps } from "@/lib/server/configs/deps";
import { checkDrift } from "@/lib/server/configs/drift";
import { route } from "@/lib/server/http/route";

// GET /api/nodes/:node/config/drift – the running config against Minos's last revision, checked now
export const GET = route({ role: "viewer", params: z.object({ node: z.string().min(1) }) }, ({ params }) => checkDrift(defaultConfigDeps(), params.node));
