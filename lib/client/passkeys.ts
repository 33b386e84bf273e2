"use client";

import { startAuthentication, startRegistration, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import { z } from "zod";

import { send, signedInSchema } from "@/lib/client/auth";
import { webauthnOptionsSchema } from "@/lib/schemas/auth";

// The WebAuthn ceremonies need the browser's credential API, so they live apart from lib/client/auth.ts,
// which server pages import for their prefetches.

/** Asks the browser for any passkey of this site and signs in with it. */
export async function signInWithPasskey() {
  const options = await send("/api/auth/passkeys/authenticate/options", webauthnOptionsSchema, "POST");
  const response = await startAuthentication({ optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON });
  return send("/api/auth/passkeys/authenticate", signedInSchema, "POST", { response });
}

/** Creates a passkey for the signed-in user on this device. */
export async function registerPasskey(name?: string) {
  const options = await send("/api/auth/passkeys/register/options", webauthnOptionsSchema, "POST");
  const response = await startRegistration({ optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON });
  return send("/api/auth/passkeys/register", z.object({ id: z.string(), name: z.string() }), "POST", { response, name });
}
