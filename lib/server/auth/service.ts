import "server-only";

import type { CreatedInvitation, CreatedToken, CreateInvitationBody, CreateTokenBody, Invitation, RedeemLinkBody, Role, SessionInfo, User } from "@/lib/schemas/auth";
import type { Db } from "@/lib/server/platform/db/db";
import { clientBucket } from "@/lib/net/client-address";
import { recordAudit, recordAuthFailure } from "@/lib/server/platform/audit";
import type { Actor } from "@/lib/server/auth/actor";
import type { AuthConfig } from "@/lib/server/auth/config";
import { requestOrigin } from "@/lib/server/auth/hosts";
import { consumeLink, createInvitation, ensureBootstrapLink, findLiveLink, linkUrl, listInvitations, removeBootstrapFile, revokeInvitation } from "@/lib/server/auth/links";
import { clientIp } from "@/lib/server/auth/rate-limit";
import { clearSessionCookies, isSecureRequest, sessionCookies, type WithCookies } from "@/lib/server/auth/respond";
import { createSession, revokeSession } from "@/lib/server/auth/sessions";
import { createApiToken, listApiTokens, revokeApiToken, revokeTokensOwnedBy } from "@/lib/server/auth/tokens";
import { countAllUsers, createUser, getUser, isLastAdmin, listUsers, markSignedIn, revokeUser, setUserRole } from "@/lib/server/auth/users";
import { AppError } from "@/lib/server/platform/errors";
import type { ApiToken } from "@/lib/schemas/auth";

export interface ServiceDeps {
  db: Db;
  config: AuthConfig;
  now: Date;
}

/** Prints the first-start link so it stands out in a busy log. */
export function announceBootstrapLink(url: string, expiresAt: Date): void {
  const line = "=".repeat(Math.max(60, url.length + 4));
  console.log(
    [
      "",
      line,
      "  Minos has no users yet. Open this one-time link to become the first admin:",
      "",
      `  ${url}`,
      "",
      `  It works once and expires at ${expiresAt.toISOString()} (15 minutes).`,
      line,
      "",
    ].join("\n"),
  );
}

/**
 * On a Minos without users, makes sure a first-start link exists (printing it when new).
 * Called by the session endpoint and the sign-in page, so the link appears on first start and
 * a fresh one after the old one expired.
 */
export async function ensureSetupLink(deps: ServiceDeps): Promise<boolean> {
  const link = await ensureBootstrapLink(deps.db, { origin: deps.config.origin, stateDir: deps.config.stateDir }, deps.now);
  if (link?.created) announceBootstrapLink(link.url, link.expiresAt);
  return link !== null;
}

/** Who the caller is, for the client and the sign-in page. */
export async function sessionInfo(actor: Actor | null, deps: ServiceDeps): Promise<SessionInfo> {
  const setupRequired = await ensureSetupLink(deps);
  const user = actor?.kind === "user" ? await getUser(deps.db, actor.id) : null;
  return {
    user: actor
      ? { id: actor.id, name: actor.name, role: actor.role, passkeys: user?.passkeyCount ?? 0 }
      : null,
    setupRequired,
    oidc: { enabled: deps.config.oidc !== null, label: deps.config.oidc?.label ?? "" },
  };
}

/**
 * Redeems a first-start link or an invitation: creates the user and signs them in, so the next
 * step (registering a passkey) runs in their session. One transaction, so a link cannot be used
 * twice even by two requests at the same instant (on one replica or two: consumeLink is one
 * conditional UPDATE, and PostgreSQL makes the second wait for the first's row lock).
 */
export async function redeemLink(
  request: Request,
  kind: "bootstrap" | "invitation",
  input: RedeemLinkBody,
  deps: ServiceDeps,
): Promise<WithCookies<{ user: { id: string; name: string; role: Role } }>> {
  const ip = clientIp(request.headers);
  let link;
  try {
    link = await findLiveLink(deps.db, input.token, deps.now);
    if (link.kind !== kind) throw new AppError("not_found", "This link is not valid here");
  } catch (e) {
    await recordAuthFailure(deps.db, { actor: "anonymous", action: `auth.${kind}`, client: clientBucket(ip), reason: (e as Error).message, details: { ip } }, deps.now);
    throw e;
  }
  const { user, session } = await deps.db.transaction().execute(async (trx) => {
    if (kind === "bootstrap" && (await countAllUsers(trx)) > 0) throw new AppError("conflict", "Minos already has an admin; ask them for an invitation");
    const user = await createUser(trx, { name: input.name, role: link.role, source: "passkey", createdBy: kind === "bootstrap" ? "system" : link.created_by }, deps.now);
    if (!(await consumeLink(trx, link.id, `user:${user.name}`, deps.now))) throw new AppError("conflict", "This link was used a moment ago");
    await markSignedIn(trx, user.id, deps.now);
    await recordAudit(trx, { actor: `user:${user.name}`, action: `auth.${kind}`, target: `user:${user.name}`, result: "ok", details: { role: user.role, invitedBy: link.created_by, ip } });
    const session = await createSession(trx, { userId: user.id, method: kind, ip, userAgent: request.headers.get("user-agent") }, deps.config, deps.now);
    return { user, session };
  });
  if (kind === "bootstrap") removeBootstrapFile(deps.config.stateDir);
  return { body: { user: { id: user.id, name: user.name, role: user.role } }, cookies: sessionCookies(session, isSecureRequest(request, deps.config), deps.now) };
}

/** Ends the caller's session and clears its cookies. */
export async function signOut(request: Request, actor: Actor | null, deps: ServiceDeps): Promise<WithCookies<{ ok: true }>> {
  const sessionHash = actor?.sessionHash;
  if (actor && sessionHash) {
    await deps.db.transaction().execute(async (trx) => {
      await revokeSession(trx, sessionHash, deps.now);
      await recordAudit(trx, { actor: actor.label, action: "auth.sign_out", target: actor.label, result: "ok", details: null });
    });
  }
  return { body: { ok: true }, cookies: clearSessionCookies(isSecureRequest(request, deps.config)) };
}

export async function inviteUser(request: Request, actor: Actor, body: CreateInvitationBody, deps: ServiceDeps): Promise<CreatedInvitation> {
  const { invitation, token } = await deps.db.transaction().execute(async (trx) => {
    const created = await createInvitation(trx, { role: body.role, name: body.name, expiresInHours: body.expiresInHours, createdBy: actor.label }, deps.now);
    await recordAudit(trx, { actor: actor.label, action: "invitation.create", target: `invitation:${created.invitation.id}`, result: "ok", details: { role: body.role, name: body.name ?? null, expiresAt: created.invitation.expiresAt } });
    return created;
  });
  // The link points where the admin is looking at Minos, so it works under the same name.
  return { invitation, url: linkUrl(requestOrigin(request.headers, deps.config), "invitation", token) };
}

export async function getInvitations(deps: ServiceDeps): Promise<{ invitations: Invitation[] }> {
  return { invitations: await listInvitations(deps.db) };
}

export async function cancelInvitation(actor: Actor, id: string, deps: ServiceDeps): Promise<Invitation> {
  return deps.db.transaction().execute(async (trx) => {
    const invitation = await revokeInvitation(trx, id, deps.now);
    await recordAudit(trx, { actor: actor.label, action: "invitation.revoke", target: `invitation:${id}`, result: "ok", details: { role: invitation.role } });
    return invitation;
  });
}

export async function getUsers(deps: ServiceDeps): Promise<{ users: User[] }> {
  return { users: await listUsers(deps.db) };
}

async function userOrThrow(db: Db, id: string) {
  const user = await getUser(db, id);
  if (!user) throw new AppError("not_found", "No such user");
  return user;
}

/** Changes a user's role; the last admin cannot demote themselves into a Minos nobody can manage. */
export async function changeUserRole(actor: Actor, id: string, role: Role, deps: ServiceDeps): Promise<User> {
  return deps.db.transaction().execute(async (trx) => {
    const user = await userOrThrow(trx, id);
    if (user.revokedAt) throw new AppError("conflict", `${user.name} is revoked`);
    if (role !== "admin" && (await isLastAdmin(trx, id))) throw new AppError("conflict", `${user.name} is the last admin; make someone else admin first`);
    await setUserRole(trx, id, role);
    await recordAudit(trx, { actor: actor.label, action: "user.role", target: `user:${user.name}`, result: "ok", details: { from: user.role, to: role } });
    return (await listUsers(trx)).find((u) => u.id === id)!;
  });
}

/** Revokes a user: their sessions end and their passkeys stop working at once. */
export async function removeUser(actor: Actor, id: string, deps: ServiceDeps): Promise<User> {
  return deps.db.transaction().execute(async (trx) => {
    const user = await userOrThrow(trx, id);
    // A token revoking its own owner would revoke itself with them: the same rule as for people.
    if ((actor.kind === "user" ? actor.id : actor.ownerId) === id) throw new AppError("conflict", "You cannot revoke yourself; ask another admin");
    if (await isLastAdmin(trx, id)) throw new AppError("conflict", `${user.name} is the last admin`);
    await revokeUser(trx, id, actor.label, deps.now);
    // Their tokens already stop working with them (resolveApiToken); marking them says so in the list.
    const tokens = await revokeTokensOwnedBy(trx, id, actor.label, deps.now);
    await recordAudit(trx, { actor: actor.label, action: "user.revoke", target: `user:${user.name}`, result: "ok", details: { role: user.role, tokensRevoked: tokens } });
    return (await listUsers(trx)).find((u) => u.id === id)!;
  });
}

export async function issueToken(actor: Actor, body: CreateTokenBody, deps: ServiceDeps): Promise<CreatedToken> {
  return deps.db.transaction().execute(async (trx) => {
    // A token belongs to a person: the signed-in user, or the owner of the token making it.
    const ownerId = actor.kind === "user" ? actor.id : actor.ownerId;
    if (!ownerId) throw new AppError("forbidden", "This token has no owner, so it cannot create tokens");
    const created = await createApiToken(trx, { ...body, createdBy: actor.label, ownerId }, deps.now);
    await recordAudit(trx, { actor: actor.label, action: "token.create", target: `token:${body.name}`, result: "ok", details: { role: body.role, expiresAt: created.apiToken.expiresAt, prefix: created.apiToken.prefix } });
    return created;
  });
}

export async function getTokens(deps: ServiceDeps): Promise<{ tokens: ApiToken[] }> {
  return { tokens: await listApiTokens(deps.db) };
}

export async function withdrawToken(actor: Actor, id: string, deps: ServiceDeps): Promise<ApiToken> {
  return deps.db.transaction().execute(async (trx) => {
    const token = await revokeApiToken(trx, id, actor.label, deps.now);
    await recordAudit(trx, { actor: actor.label, action: "token.revoke", target: `token:${token.name}`, result: "ok", details: { prefix: token.prefix } });
    return token;
  });
}
