import { queryOptions } from "@tanstack/react-query";
import type { z } from "zod";

import { apiFetch } from "@/lib/client/api";
import type {
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
  CreateInvitationBody,
  CreateTokenBody,
  Role,
} from "@/lib/schemas/auth";

/** Query keys for everything access-related. */
export const authKeys = {
  all: ["auth"] as const,
  session: () => [...authKeys.all, "session"] as const,
  users: () => [...authKeys.all, "users"] as const,
  invitations: () => [...authKeys.all, "invitations"] as const,
  tokens: () => [...authKeys.all, "tokens"] as const,
};

export const sessionQuery = () => queryOptions({ queryKey: authKeys.session(), queryFn: () => apiFetch<z.output<typeof sessionInfoSchema>>("/api/auth/session") });
export const usersQuery = () => queryOptions({ queryKey: authKeys.users(), queryFn: () => apiFetch<z.output<typeof usersResponseSchema>>("/api/users") });
export const invitationsQuery = () => queryOptions({ queryKey: authKeys.invitations(), queryFn: () => apiFetch<z.output<typeof invitationsResponseSchema>>("/api/auth/invitations") });
export const tokensQuery = () => queryOptions({ queryKey: authKeys.tokens(), queryFn: () => apiFetch<z.output<typeof tokensResponseSchema>>("/api/tokens") });

// Mutations: plain functions for useMutation({ mutationFn }). apiFetch adds the CSRF header.

/** A mutating call with an optional JSON body. */
export function send<T>(path: string, method: string, json?: unknown) {
  return apiFetch<T>(path, { method, json });
}

/** What the sign-in endpoints (passkey, bootstrap, invitation) answer along with the session cookie. */
export interface SignedIn {
  user: { id?: string; name: string; role: string };
}

export const previewLink = (token: string) => send<z.output<typeof linkPreviewSchema>>("/api/auth/links/preview", "POST", { token });
export const redeemLink = (kind: "bootstrap" | "invitation", token: string, name: string) =>
  send<SignedIn>(kind === "bootstrap" ? "/api/auth/bootstrap" : "/api/auth/invitations/accept", "POST", { token, name });
export const signOut = () => send<z.output<typeof okResponseSchema>>("/api/auth/sign-out", "POST");

export const createInvitation = (body: CreateInvitationBody) => send<z.output<typeof createdInvitationSchema>>("/api/auth/invitations", "POST", body);
export const revokeInvitation = (id: string) => send<z.output<typeof invitationSchema>>(`/api/auth/invitations/${encodeURIComponent(id)}`, "DELETE");
export const setUserRole = (id: string, role: Role) => send<z.output<typeof userSchema>>(`/api/users/${encodeURIComponent(id)}`, "PATCH", { role });
export const revokeUser = (id: string) => send<z.output<typeof userSchema>>(`/api/users/${encodeURIComponent(id)}`, "DELETE");
export const revokePasskey = (userId: string, passkeyId: string) =>
  send<z.output<typeof okResponseSchema>>(`/api/users/${encodeURIComponent(userId)}/passkeys/${encodeURIComponent(passkeyId)}`, "DELETE");
export const createToken = (body: CreateTokenBody) => send<z.output<typeof createdTokenSchema>>("/api/tokens", "POST", body);
export const revokeToken = (id: string) => send<z.output<typeof apiTokenSchema>>(`/api/tokens/${encodeURIComponent(id)}`, "DELETE");
