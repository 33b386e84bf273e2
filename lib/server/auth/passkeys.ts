import "server-only";

import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";

import type { Db } from "@/lib/server/platform/db/db";
import { clientBucket } from "@/lib/net/client-address";
import { recordAudit, recordAuthFailure } from "@/lib/server/platform/audit";
import type { Actor } from "@/lib/server/auth/actor";
import { saveChallenge, takeChallenge } from "@/lib/server/auth/challenges";
import type { AuthConfig } from "@/lib/server/auth/config";
import { CHALLENGE_COOKIE, parseCookies } from "@/lib/server/auth/cookies";
import { requestOrigin } from "@/lib/server/auth/hosts";
import { clientIp } from "@/lib/server/auth/rate-limit";
import { challengeCookie, isSecureRequest, sessionCookies, type WithCookies } from "@/lib/server/auth/respond";
import { createSession } from "@/lib/server/auth/sessions";
import { getUser, markSignedIn } from "@/lib/server/auth/users";
import { AppError } from "@/lib/server/platform/errors";

export interface PasskeyDeps {
  db: Db;
  config: AuthConfig;
  now: Date;
}

/**
 * The relying party for this request: its host name (the RP ID passkeys are bound to) and
 * origin. Derived from the Host header when it is an allowed name, so passkeys work whether
 * Minos is opened as localhost or 127.0.0.1; a passkey made under one name only works there.
 */
function relyingParty(request: Request, config: AuthConfig): { rpID: string; origin: string } {
  const origin = requestOrigin(request.headers, config);
  return { rpID: origin.hostname.replace(/^\[|\]$/g, ""), origin: origin.origin };
}

/** Step 1 of adding a passkey for the signed-in user. */
export async function passkeyRegistrationOptions(request: Request, actor: Actor, deps: PasskeyDeps): Promise<WithCookies<Record<string, unknown>>> {
  if (actor.kind !== "user") throw new AppError("forbidden", "Passkeys belong to people; an API token cannot register one");
  const { rpID } = relyingParty(request, deps.config);
  const existing = await deps.db.selectFrom("passkeys").select(["id", "transports"]).where("user_id", "=", actor.id).where("revoked_at", "is", null).execute();
  const options = await generateRegistrationOptions({
    rpName: deps.config.rpName,
    rpID,
    userName: actor.name,
    userID: new TextEncoder().encode(actor.id),
    attestationType: "none",
    excludeCredentials: existing.map((k) => ({ id: k.id, transports: JSON.parse(k.transports) as AuthenticatorTransport[] })),
    // A discoverable credential lets the person sign in without typing a name first.
    authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
  });
  const handle = await saveChallenge(deps.db, "passkey-register", { challenge: options.challenge, rpID }, actor.id, deps.now);
  return { body: options as unknown as Record<string, unknown>, cookies: [challengeCookie(handle, isSecureRequest(request, deps.config))] };
}

/** Step 2: verifies the authenticator's answer and stores the new passkey. */
export async function registerPasskey(
  request: Request,
  actor: Actor,
  input: { response: RegistrationResponseJSON; name?: string },
  deps: PasskeyDeps,
): Promise<{ id: string; name: string }> {
  if (actor.kind !== "user") throw new AppError("forbidden", "Passkeys belong to people; an API token cannot register one");
  const pending = await takeChallenge<{ challenge: string; rpID: string }>(deps.db, parseCookies(request.headers.get("cookie")).get(CHALLENGE_COOKIE), "passkey-register", actor.id, deps.now);
  if (!pending) throw new AppError("bad_request", "The passkey request expired or was already used; start again");
  const { origin } = relyingParty(request, deps.config);
  let verification;
  try {
    verification = await verifyRegistrationResponse({ response: input.response, expectedChallenge: pending.challenge, expectedOrigin: origin, expectedRPID: pending.rpID });
  } catch (e) {
    await recordAudit(deps.db, { actor: actor.label, action: "passkey.register", target: actor.label, result: "failed", details: { reason: (e as Error).message } });
    throw new AppError("bad_request", `The passkey could not be verified: ${(e as Error).message}`);
  }
  if (!verification.verified) throw new AppError("bad_request", "The passkey could not be verified");
  const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
  return deps.db.transaction().execute(async (trx) => {
    const { n } = await trx
      .selectFrom("passkeys")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("user_id", "=", actor.id)
      .executeTakeFirstOrThrow();
    const name = input.name ?? `Passkey ${Number(n) + 1}`;
    await trx
      .insertInto("passkeys")
      .values({
        id: credential.id,
        user_id: actor.id,
        name,
        public_key: Buffer.from(credential.publicKey).toString("base64url"),
        counter: credential.counter,
        transports: JSON.stringify(credential.transports ?? []),
        device_type: credentialDeviceType,
        backed_up: credentialBackedUp ? 1 : 0,
        created_at: deps.now.toISOString(),
      })
      .execute();
    await recordAudit(trx, { actor: actor.label, action: "passkey.register", target: actor.label, result: "ok", details: { passkey: name, deviceType: credentialDeviceType } });
    return { id: credential.id, name };
  });
}

/** Step 1 of signing in: a challenge for any passkey of this site (discoverable credentials, no user name). */
export async function passkeyAuthenticationOptions(request: Request, deps: PasskeyDeps): Promise<WithCookies<Record<string, unknown>>> {
  const { rpID } = relyingParty(request, deps.config);
  const options = await generateAuthenticationOptions({ rpID, userVerification: "preferred" });
  const handle = await saveChallenge(deps.db, "passkey-authenticate", { challenge: options.challenge, rpID }, null, deps.now);
  return { body: options as unknown as Record<string, unknown>, cookies: [challengeCookie(handle, isSecureRequest(request, deps.config))] };
}

/** Step 2: verifies the assertion and starts a session. Every failure is audited and looks the same to the caller. */
export async function authenticatePasskey(request: Request, input: { response: AuthenticationResponseJSON }, deps: PasskeyDeps): Promise<WithCookies<{ user: { id: string; name: string; role: string } }>> {
  const ip = clientIp(request.headers);
  const fail = async (reason: string, actor = "anonymous"): Promise<never> => {
    await recordAuthFailure(deps.db, { actor, action: "auth.sign_in", client: clientBucket(ip), result: "failed", reason, details: { method: "passkey", ip } }, deps.now);
    throw new AppError("unauthorized", "Sign-in failed: this passkey is not registered with Minos, or was revoked");
  };
  const pending = await takeChallenge<{ challenge: string; rpID: string }>(deps.db, parseCookies(request.headers.get("cookie")).get(CHALLENGE_COOKIE), "passkey-authenticate", null, deps.now);
  if (!pending) throw new AppError("bad_request", "The sign-in request expired or was already used; try again");
  const row = await deps.db.selectFrom("passkeys").select(["id", "user_id", "name", "public_key", "counter", "transports", "revoked_at"]).where("id", "=", input.response.id).executeTakeFirst();
  if (!row || row.revoked_at) return fail("unknown or revoked passkey");
  const user = await getUser(deps.db, row.user_id);
  if (!user || user.revokedAt) return fail("user revoked", user ? `user:${user.name}` : "anonymous");
  const { origin } = relyingParty(request, deps.config);
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge: pending.challenge,
      expectedOrigin: origin,
      expectedRPID: pending.rpID,
      credential: { id: row.id, publicKey: new Uint8Array(Buffer.from(row.public_key, "base64url")), counter: row.counter, transports: JSON.parse(row.transports) as AuthenticatorTransport[] },
    });
  } catch (e) {
    return fail((e as Error).message, `user:${user.name}`);
  }
  if (!verification.verified) return fail("assertion not verified", `user:${user.name}`);
  const session = await deps.db.transaction().execute(async (trx) => {
    await trx.updateTable("passkeys").set({ counter: verification.authenticationInfo.newCounter, last_used_at: deps.now.toISOString() }).where("id", "=", row.id).execute();
    await markSignedIn(trx, user.id, deps.now);
    await recordAudit(trx, { actor: `user:${user.name}`, action: "auth.sign_in", target: "passkey", result: "ok", details: { passkey: row.name, ip } });
    return createSession(trx, { userId: user.id, method: "passkey", ip, userAgent: request.headers.get("user-agent") }, deps.config, deps.now);
  });
  return {
    body: { user: { id: user.id, name: user.name, role: user.role } },
    cookies: sessionCookies(session, isSecureRequest(request, deps.config), deps.now),
  };
}

/** Revokes one passkey: its owner may, and so may an admin. */
export async function revokePasskey(db: Db, actor: Actor, userId: string, passkeyId: string, now: Date): Promise<void> {
  if (actor.role !== "admin" && !(actor.kind === "user" && actor.id === userId)) {
    throw new AppError("forbidden", "Only an admin or the passkey's owner may revoke it");
  }
  await db.transaction().execute(async (trx) => {
    // Conditional, and read in the same transaction: two revocations racing on two replicas make one audit entry.
    const row = await trx
      .updateTable("passkeys")
      .set({ revoked_at: now.toISOString() })
      .where("id", "=", passkeyId)
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .returning("name")
      .executeTakeFirst();
    if (!row) throw new AppError("not_found", "No such passkey");
    const owner = (await getUser(trx, userId))!;
    await recordAudit(trx, { actor: actor.label, action: "passkey.revoke", target: `user:${owner.name}`, result: "ok", details: { passkey: row.name } });
  });
}
