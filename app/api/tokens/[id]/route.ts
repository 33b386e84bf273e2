import { z } from "zod";

import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { withdrawToken } from "@/lib/server/auth/service";
import { route } from "@/lib/server/http/route";

// DELETE /api/tokens/:id – revoke a token; the next request with it is refused
export const DELETE = route({ role: "admin", rateLimit: "manage", params: z.object({ id: z.string().min(1) }) }, ({ actor, params }) => withdrawToken(actor, params.id, defaultAuthDeps()));
