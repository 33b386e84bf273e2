import { z } from "zod";

import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { cancelInvitation } from "@/lib/server/auth/service";
import { route } from "@/lib/server/http/route";

// DELETE /api/auth/invitations/:id – revoke an invitation nobody has accepted yet
export const DELETE = route({ role: "admin", rateLimit: "manage", params: z.object({ id: z.string().min(1) }) }, ({ actor, params }) =>
  cancelInvitation(actor, params.id, defaultAuthDeps()),
);
