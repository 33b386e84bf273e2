"use client";

import { startAuthentication, startRegistration, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import type { z } from "zod";

import { send, type SignedIn } from "@/lib/client/auth";
import type { webauthnOptionsSchema } from "@/lib/schemas/auth";

// The WebAuthn ceremonies need the browser's credential API, so they live apart from lib/client/auth.ts,
// which server pages import for their prefetches.

/** Asks the browser for any passkey of this site and signs in with it. */
export async function signInWithPasskey() {
  const options = await send<z.output<typeof webauthnOptionsSchema>>("/api/auth/passkeys/authenticate/options", "POST");
  const response = await startAuthentication({ optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON });
  return send<SignedIn>("/api/auth/passkeys/authenticate", "POST", { response });
}

/** Creates a passkey for the signed-in user on this device. */
export async function registerPasskey(name?: string) {
  const options = await send<z.output<typeof webauthnOptionsSchema>>("/api/auth/passkeys/register/options", "POST");
  const response = await startRegistration({ optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON });
  return send<{ id: string; name: string }>("/api/auth/passkeys/register", "POST", { response, name });
}
