import { queryOptions } from "@tanstack/react-query";

import { apiFetch } from "@/lib/queries/api";
import { invitationsResponseSchema, sessionInfoSchema, tokensResponseSchema, usersResponseSchema } from "@/lib/schemas/auth";

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

