import { queryOptions } from "@tanstack/react-query";
import { z } from "zod";

import { apiFetch } from "@/lib/client/api";
import {
  apiTokenSchema,
  createdInvitationSchema,
  createdTokenSchema,
  invitationSchema,
  invitationsResponseSchema,
  linkPreviewSchema,
  okResponseSchema,
  sessionInfoSchema,
  tokensResponseSchema,
  userSchema,
  usersResponseSchema,
  type CreateInvitationBody,
  type CreateTokenBody,
  type Role,
} from "@/lib/schemas/auth";

/** Query keys for everything access-related. */
export const authKeys = {
  all: ["auth"] as const,
  session: () => [...authKeys.all, "session"] as const,
  users: () => [...authKeys.all, "users"] as const,
  invitations: () => [...authKeys.all, "invitations"] as const,
  tokens: () => [...authKeys.all, "tokens"] as const,
};

export const sessionQuery = () => queryOptions({ queryKey: authKeys.session(), queryFn: () => apiFetch("/api/auth/session", sessionInfoSchema) });
export const usersQuery = () => queryOptions({ queryKey: authKeys.users(), queryFn: () => apiFetch("/api/users", usersResponseSchema) });
export const invitationsQuery = () => queryOptions({ queryKey: authKeys.invitations(), queryFn: () => apiFetch("/api/auth/invitations", invitationsResponseSchema) });
export const tokensQuery = () => queryOptions({ queryKey: authKeys.tokens(), queryFn: () => apiFetch("/api/tokens", tokensResponseSchema) });

// Mutations: plain functions for useMutation({ mutationFn }). apiFetch adds the CSRF header.

/** A mutating call with an optional JSON body. */
export function send<S extends z.ZodType>(path: string, schema: S, method: string, json?: unknown) {
  return apiFetch(path, schema, { method, json });
}

/** What the sign-in endpoints (passkey, bootstrap, invitation) answer along with the session cookie. */
export const signedInSchema = z.object({ user: z.object({ id: z.string().optional(), name: z.string(), role: z.string() }) });

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
