import "server-only";

import type { Role } from "@/lib/schemas/auth";

/** Who is calling: a signed-in person or an API token. */
export interface Actor {
  kind: "user" | "token";
  /** The user's or the token's ID. */
  id: string;
  name: string;
  role: Role;
  /** For the audit log and every `actor`/`author` column: "user:<name>" or "token:<name>". */
  label: string;
  /** The hash of the session that authenticated a user, for sign-out and CSRF. */
  sessionHash?: string;
  /** Only for sessions: the CSRF token's hash the mutating requests must match. */
  csrfHash?: string;
  /** Only for tokens: the user the token belongs to (a token it creates belongs to them too). */
  ownerId?: string;
}

export function userActor(user: { id: string; name: string; role: Role }, session?: { idHash: string; csrfHash: string }): Actor {
  return { kind: "user", id: user.id, name: user.name, role: user.role, label: `user:${user.name}`, sessionHash: session?.idHash, csrfHash: session?.csrfHash };
}

export function tokenActor(token: { id: string; name: string; role: Role; ownerId?: string }): Actor {
  return { kind: "token", id: token.id, name: token.name, role: token.role, label: `token:${token.name}`, ownerId: token.ownerId };
}
