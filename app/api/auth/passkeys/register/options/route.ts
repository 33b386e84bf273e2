import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { passkeyRegistrationOptions } from "@/lib/server/auth/passkeys";
import { jsonWithCookies } from "@/lib/server/auth/respond";
import { route } from "@/lib/server/http/route";

// POST /api/auth/passkeys/register/options – a WebAuthn creation challenge for the signed-in user
export const POST = route({ role: "viewer", rateLimit: "signIn" }, async ({ request, actor }) =>
  jsonWithCookies(await passkeyRegistrationOptions(request, actor, defaultAuthDeps())),
);
