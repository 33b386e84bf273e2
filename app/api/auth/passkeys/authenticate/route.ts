import type { AuthenticationResponseJSON } from "@simplewebauthn/server";

import { authenticatePasskeyBodySchema } from "@/lib/schemas/auth";
import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { authenticatePasskey } from "@/lib/server/auth/passkeys";
import { jsonWithCookies } from "@/lib/server/auth/respond";
import { route } from "@/lib/server/http/route";

// POST /api/auth/passkeys/authenticate – verify a passkey assertion and start a session
export const POST = route({ role: "public", rateLimit: "signIn", body: authenticatePasskeyBodySchema, maxBodyBytes: 64 * 1024 }, async ({ request, body }) =>
  jsonWithCookies(await authenticatePasskey(request, { response: body.response as unknown as AuthenticationResponseJSON }, defaultAuthDeps())),
);
