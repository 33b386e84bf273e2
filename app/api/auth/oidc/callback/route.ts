import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { finishOidc } from "@/lib/server/auth/oidc";
import { redirectAfterSignIn } from "@/lib/server/auth/respond";
import { route } from "@/lib/server/http/route";

// GET /api/auth/oidc/callback – the issuer's redirect back: sign in, then go to the dashboard
export const GET = route({ role: "public", rateLimit: "signIn" }, async ({ request }) => redirectAfterSignIn(request, () => finishOidc(request, defaultAuthDeps())));
