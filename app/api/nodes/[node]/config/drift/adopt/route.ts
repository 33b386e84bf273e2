import { z } from "zod";

import { defaultConfigDeps, LOCAL_USER } from "@/lib/server/configs/deps";
import { adoptDrift } from "@/lib/server/configs/drift";
import { route } from "@/lib/server/route";

// POST /api/nodes/:node/config/drift/adopt – record the running config as the latest revision
export const POST = route({ params: z.object({ node: z.string().min(1) }) }, ({ params }) => adoptDrift(defaultConfigDeps(), params.node, LOCAL_USER));
