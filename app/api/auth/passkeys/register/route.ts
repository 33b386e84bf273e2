import type { RegistrationResponseJSON } from "@simplewebauthn/server";

import { registerPasskeyBodySchema } from "@/lib/schemas/auth";
import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { registerPasskey } from "@/lib/server/auth/passkeys";
import { route } from "@/lib/server/http/route";

// POST /api/auth/passkeys/register – verify the authenticator's answer and keep the new passkey
export const POST = route({ role: "viewer", rateLimit: "signIn", body: registerPasskeyBodySchema, maxBodyBytes: 64 * 1024 }, ({ request, actor, body }) =>
  registerPasskey(request, actor, { response: body.response as unknown as RegistrationResponseJSON, name: body.name }, defaultAuthDeps()),
);
