import { z } from "zod";

import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { revokePasskey } from "@/lib/server/auth/passkeys";
import { route } from "@/lib/server/http/route";

// DELETE /api/users/:id/passkeys/:passkeyId – revoke one passkey (its owner or an admin)
export const DELETE = route({ role: "viewer", rateLimit: "manage", params: z.object({ id: z.string().min(1), passkeyId: z.string().min(1) }) }, async ({ actor, params }) => {
  const { db, now } = defaultAuthDeps();
  await revokePasskey(db, actor, params.id, params.passkeyId, now);
  return { ok: true as const };
});
