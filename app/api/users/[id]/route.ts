import { z } from "zod";

import { updateUserBodySchema } from "@/lib/schemas/auth";
import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { changeUserRole, removeUser } from "@/lib/server/auth/service";
import { route } from "@/lib/server/http/route";

const params = z.object({ id: z.string().min(1) });

// PATCH /api/users/:id – change a user's role
export const PATCH = route({ role: "admin", rateLimit: "manage", params, body: updateUserBodySchema, maxBodyBytes: 1024 }, ({ actor, params, body }) =>
  changeUserRole(actor, params.id, body.role, defaultAuthDeps()),
);

// DELETE /api/users/:id – revoke a user: sessions end and passkeys stop working at once
export const DELETE = route({ role: "admin", rateLimit: "manage", params }, ({ actor, params }) => removeUser(actor, params.id, defaultAuthDeps()));
