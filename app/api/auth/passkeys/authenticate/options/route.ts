import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { passkeyAuthenticationOptions } from "@/lib/server/auth/passkeys";
import { jsonWithCookies } from "@/lib/server/auth/respond";
import { route } from "@/lib/server/http/route";

// POST /api/auth/passkeys/authenticate/options – a WebAuthn sign-in challenge
export const POST = route({ role: "public", rateLimit: "signIn" }, async ({ request }) => jsonWithCookies(await passkeyAuthenticationOptions(request, defaultAuthDeps())));
