"use client";

import { startAuthentication, startRegistration, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import { z } from "zod";

import { csrfHeaders } from "@/lib/auth/csrf";
import { apiFetch } from "@/lib/queries/api";
import {
  createdInvitationSchema,
  createdTokenSchema,
  invitationSchema,
  linkPreviewSchema,
  okResponseSchema,
  apiTokenSchema,
  userSchema,
  webauthnOptionsSchema,
  type CreateInvitationBody,
  type CreateTokenBody,
  type Role,
} from "@/lib/schemas/auth";

/** A mutating call: JSON body and the CSRF header from the readable cookie. */
function send<S extends z.ZodType>(path: string, schema: S, method: string, json?: unknown) {
  return apiFetch(path, schema, { method, json, headers: csrfHeaders() });
}

const signedInSchema = z.object({ user: z.object({ id: z.string().optional(), name: z.string(), role: z.string() }) });

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

export const previewLink = (token: string) => send("/api/auth/links/preview", linkPreviewSchema, "POST", { token });
export const redeemLink = (kind: "bootstrap" | "invitation", token: string, name: string) =>
  send(kind === "bootstrap" ? "/api/auth/bootstrap" : "/api/auth/invitations/accept", signedInSchema, "POST", { token, name });
export const signOut = () => send("/api/auth/sign-out", okResponseSchema, "POST");

export const createInvitation = (body: CreateInvitationBody) => send("/api/auth/invitations", createdInvitationSchema, "POST", body);
export const revokeInvitation = (id: string) => send(`/api/auth/invitations/${encodeURIComponent(id)}`, invitationSchema, "DELETE");
export const setUserRole = (id: string, role: Role) => send(`/api/users/${encodeURIComponent(id)}`, userSchema, "PATCH", { role });
export const revokeUser = (id: string) => send(`/api/users/${encodeURIComponent(id)}`, userSchema, "DELETE");
export const revokePasskey = (userId: string, passkeyId: string) =>
  send(`/api/users/${encodeURIComponent(userId)}/passkeys/${encodeURIComponent(passkeyId)}`, okResponseSchema, "DELETE");
export const createToken = (body: CreateTokenBody) => send("/api/tokens", createdTokenSchema, "POST", body);
export const revokeToken = (id: string) => send(`/api/tokens/${encodeURIComponent(id)}`, apiTokenSchema, "DELETE");

/** A person-readable message for a failed WebAuthn ceremony or API call. */
export function explain(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === "NotAllowedError") return "The passkey prompt was closed or timed out. Try again.";
    if (e.name === "InvalidStateError") return "This device already holds a passkey for this account.";
    // Browsers refuse passkeys for IP addresses: the relying party must be a host name.
    if (e.name === "SecurityError") return `Passkeys need a host name, not an IP address: open Minos at http://localhost:${window.location.port || 80} or its DNS name.`;
    return e.message;
  }
  return String(e);
}
