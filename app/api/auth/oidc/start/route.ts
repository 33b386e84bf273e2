import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { startOidc } from "@/lib/server/auth/oidc";
import { route } from "@/lib/server/http/route";

// GET /api/auth/oidc/start – redirect to the OpenID Connect issuer
export const GET = route({ role: "public", rateLimit: "signIn" }, ({ request }) => startOidc(request, defaultAuthDeps()));
