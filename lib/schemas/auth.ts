import { z } from "zod";

/** Minos's own roles, weakest first. See `lib/auth/roles.ts` for what each may do. */
export const roleSchema = z.enum(["viewer", "operator", "admin"]);
export type Role = z.infer<typeof roleSchema>;

/** What a route demands of its caller: a minimum role, or nothing ("public": sign-in and friends). */
export const routeRoleSchema = z.enum(["public", ...roleSchema.options]);
export type RouteRole = z.infer<typeof routeRoleSchema>;

const userName = z
  .string()
  .trim()
  .min(1, "a name is required")
  .max(64, "at most 64 characters")
  .regex(/^[\p{L}\p{N}._@+ -]+$/u, "letters, digits, spaces and . _ @ + - only");

export const passkeySchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  /** Synced passkeys (iCloud, Google) are "multiDevice"; security keys are "singleDevice". */
  deviceType: z.enum(["singleDevice", "multiDevice"]),
  backedUp: z.boolean(),
});
export type Passkey = z.infer<typeof passkeySchema>;

export const userSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  source: z.enum(["passkey", "oidc"]),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  lastSignInAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  passkeys: z.array(passkeySchema),
});
export type User = z.infer<typeof userSchema>;

/** GET /api/auth/session: who the caller is, and what the sign-in page should offer. */
export const sessionInfoSchema = z.object({
  user: z.object({ id: z.string(), name: z.string(), role: roleSchema, passkeys: z.number().int() }).nullable(),
  /** No user exists yet: the first admin signs in with the link from the server log. */
  setupRequired: z.boolean(),
  oidc: z.object({ enabled: z.boolean(), label: z.string() }),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const invitationSchema = z.object({
  id: z.string(),
  role: roleSchema,
  name: z.string().nullable(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  expiresAt: z.iso.datetime(),
  usedAt: z.iso.datetime().nullable(),
  usedBy: z.string().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type Invitation = z.infer<typeof invitationSchema>;

export const createInvitationBodySchema = z.object({
  role: roleSchema,
  /** Suggested name for the new user; they may change it when they accept. */
  name: userName.optional(),
  expiresInHours: z.number().int().min(1).max(24 * 14).default(72),
});
export type CreateInvitationBody = z.infer<typeof createInvitationBodySchema>;

/** The link is shown once: only its hash is stored. */
export const createdInvitationSchema = z.object({ invitation: invitationSchema, url: z.url() });
export type CreatedInvitation = z.infer<typeof createdInvitationSchema>;

/** A one-time link's secret, from the URL fragment (never sent to the server in a URL). */
const linkToken = z.string().min(20).max(200);

export const redeemLinkBodySchema = z.object({ token: linkToken, name: userName });
export type RedeemLinkBody = z.infer<typeof redeemLinkBodySchema>;

/** What a one-time link will do, shown before the person commits to a name. */
export const linkPreviewSchema = z.object({
  kind: z.enum(["bootstrap", "invitation"]),
  role: roleSchema,
  name: z.string().nullable(),
  expiresAt: z.iso.datetime(),
});
export type LinkPreview = z.infer<typeof linkPreviewSchema>;
export const linkPreviewBodySchema = z.object({ token: linkToken });

export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The token's first characters, to recognise it in a secret store. */
  prefix: z.string(),
  role: roleSchema,
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  expiresAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  /** The user the token belongs to: it acts with at most their current role, and dies with them. */
  ownerId: z.string().nullable(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

export const createTokenBodySchema = z.object({
  name: userName,
  role: roleSchema,
  expiresInDays: z.number().int().min(1).max(366).default(90),
});
export type CreateTokenBody = z.infer<typeof createTokenBodySchema>;

/** `token` is the secret itself, returned by this response only. */
export const createdTokenSchema = z.object({ token: z.string(), apiToken: apiTokenSchema });
export type CreatedToken = z.infer<typeof createdTokenSchema>;

export const updateUserBodySchema = z.object({ role: roleSchema });
export type UpdateUserBody = z.infer<typeof updateUserBodySchema>;

export const usersResponseSchema = z.object({ users: z.array(userSchema) });
export const invitationsResponseSchema = z.object({ invitations: z.array(invitationSchema) });
export const tokensResponseSchema = z.object({ tokens: z.array(apiTokenSchema) });
export const okResponseSchema = z.object({ ok: z.literal(true) });

/**
 * WebAuthn JSON from @simplewebauthn/browser. Checked for shape only: the library verifies the
 * content, and an unknown extra field is left for it to judge.
 */
const b64url = z.string().regex(/^[A-Za-z0-9_-]*={0,2}$/).max(16_384);
export const registrationResponseSchema = z.looseObject({
  id: b64url,
  rawId: b64url,
  type: z.literal("public-key"),
  response: z.looseObject({ clientDataJSON: b64url, attestationObject: b64url }),
  clientExtensionResults: z.record(z.string(), z.unknown()),
});
export const authenticationResponseSchema = z.looseObject({
  id: b64url,
  rawId: b64url,
  type: z.literal("public-key"),
  response: z.looseObject({ clientDataJSON: b64url, authenticatorData: b64url, signature: b64url, userHandle: b64url.optional() }),
  clientExtensionResults: z.record(z.string(), z.unknown()),
});

export const registerPasskeyBodySchema = z.object({
  response: registrationResponseSchema,
  name: z.string().trim().min(1).max(64).optional(),
});
export const authenticatePasskeyBodySchema = z.object({ response: authenticationResponseSchema });

/** Options for the browser's `startRegistration` / `startAuthentication`; passed through as-is. */
export const webauthnOptionsSchema = z.record(z.string(), z.unknown());
