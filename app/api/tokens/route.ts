import { createTokenBodySchema } from "@/lib/schemas/auth";
import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { getTokens, issueToken } from "@/lib/server/auth/service";
import { route } from "@/lib/server/http/route";

// GET /api/tokens – API tokens (never their secrets), newest first
export const GET = route({ role: "admin" }, () => getTokens(defaultAuthDeps()));

// POST /api/tokens – create a token with a role and an expiry; the secret is in this response only
export const POST = route({ role: "admin", rateLimit: "manage", body: createTokenBodySchema, maxBodyBytes: 4096 }, async ({ actor, body }) =>
  Response.json(await issueToken(actor, body, defaultAuthDeps()), { headers: { "cache-control": "no-store" } }),
);
