import { createInvitationBodySchema } from "@/lib/schemas/auth";
import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { getInvitations, inviteUser } from "@/lib/server/auth/service";
import { route } from "@/lib/server/http/route";

// GET /api/auth/invitations – invitations, newest first, with their state
export const GET = route({ role: "admin" }, () => getInvitations(defaultAuthDeps()));

// POST /api/auth/invitations – invite someone with a role; the one-time link is in this response only
export const POST = route({ role: "admin", rateLimit: "manage", body: createInvitationBodySchema, maxBodyBytes: 4096 }, ({ request, actor, body }) =>
  inviteUser(request, actor, body, defaultAuthDeps()),
);
