import { redeemLinkBodySchema } from "@/lib/schemas/auth";
import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { jsonWithCookies } from "@/lib/server/auth/respond";
import { redeemLink } from "@/lib/server/auth/service";
import { route } from "@/lib/server/http/route";

// POST /api/auth/invitations/accept – redeem an invitation: a new user with its role, signed in
export const POST = route({ role: "public", rateLimit: "signIn", body: redeemLinkBodySchema, maxBodyBytes: 4096 }, async ({ request, body }) =>
  jsonWithCookies(await redeemLink(request, "invitation", body, defaultAuthDeps())),
);
