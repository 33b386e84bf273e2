import "server-only";

import { sql } from "kysely";

import type { Passkey, Role, User } from "@/lib/schemas/auth";
import { dialectOf, type Db } from "@/lib/server/platform/db/db";
import type { PasskeysTable, UsersTable } from "@/lib/server/platform/db/schema";
import { randomId } from "@/lib/server/auth/crypto";
import { AppError } from "@/lib/server/platform/errors";

type UserRow = Pick<UsersTable, "id" | "name" | "role" | "source" | "created_at" | "created_by" | "last_sign_in_at" | "revoked_at">;
type PasskeyRow = Pick<PasskeysTable, "id" | "user_id" | "name" | "created_at" | "last_used_at" | "device_type" | "backed_up">;

const USER_COLUMNS = ["id", "name", "role", "source", "created_at", "created_by", "last_sign_in_at", "revoked_at"] as const;
const PASSKEY_COLUMNS = ["id", "user_id", "name", "created_at", "last_used_at", "device_type", "backed_up"] as const;

/** The user behind an ID, revoked or not; null when none. */
export async function getUser(db: Db, id: string): Promise<(Omit<User, "passkeys"> & { passkeyCount: number }) | null> {
  const row = await db.selectFrom("users").select(USER_COLUMNS).where("id", "=", id).executeTakeFirst();
  if (!row) return null;
  const { n } = await db
    .selectFrom("passkeys")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("user_id", "=", id)
    .where("revoked_at", "is", null)
    .executeTakeFirstOrThrow();
  return { ...toUser(row), passkeyCount: Number(n) };
}

/** Every user, oldest first, with their live passkeys. */
export async function listUsers(db: Db): Promise<User[]> {
  const rows = await db.selectFrom("users").select(USER_COLUMNS).orderBy("created_at").orderBy("name").execute();
  const keys = await db.selectFrom("passkeys").select(PASSKEY_COLUMNS).where("revoked_at", "is", null).orderBy("created_at").orderBy("id").execute();
  return rows.map((r) => ({ ...toUser(r), passkeys: keys.filter((k) => k.user_id === r.id).map(toPasskey) }));
}

export async function countAllUsers(db: Db): Promise<number> {
  const { n } = await db.selectFrom("users").select((eb) => eb.fn.countAll<number | string>().as("n")).executeTakeFirstOrThrow();
  return Number(n);
}

/** Creates a user; a taken name (in any letter case) is a conflict the person can fix by choosing another. */
export async function createUser(
  db: Db,
  input: { name: string; role: Role; source: "passkey" | "oidc"; createdBy: string; oidc?: { issuer: string; subject: string } },
  now: Date,
): Promise<Omit<User, "passkeys">> {
  // PostgreSQL's UNIQUE(name) is case-sensitive: two replicas creating "Ada" and "ada" at once
  // would both pass the check below. The lock (held to the caller's commit) makes the second
  // wait and then see the first. SQLite's IMMEDIATE transactions are serial already.
  if (dialectOf(db) === "postgres") await sql`SELECT pg_advisory_xact_lock(hashtext(${`minos:user-name:${input.name.toLowerCase()}`}))`.execute(db);
  // lower() on both sides, in the database: the same comparison whichever store runs it.
  const taken = await db.selectFrom("users").select("id").where(sql`lower(name)`, "=", sql`lower(${input.name})`).executeTakeFirst();
  if (taken) throw new AppError("conflict", `The name "${input.name}" is taken; choose another`);
  const id = randomId();
  await db
    .insertInto("users")
    .values({
      id,
      name: input.name,
      role: input.role,
      source: input.source,
      oidc_issuer: input.oidc?.issuer ?? null,
      oidc_subject: input.oidc?.subject ?? null,
      created_at: now.toISOString(),
      created_by: input.createdBy,
    })
    .execute();
  return (await getUser(db, id))!;
}

/**
 * Inside the sign-in transaction, before findOidcUser: on PostgreSQL, a first sign-in of one
 * OpenID Connect subject on two replicas at once waits here for the other, then finds the user
 * it created instead of failing on the (issuer, subject) unique index.
 */
export async function lockOidcSubject(trx: Db, issuer: string, subject: string): Promise<void> {
  if (dialectOf(trx) === "postgres") await sql`SELECT pg_advisory_xact_lock(hashtext(${`minos:oidc-user:${issuer}|${subject}`}))`.execute(trx);
}

export async function findOidcUser(db: Db, issuer: string, subject: string): Promise<(Omit<User, "passkeys"> & { passkeyCount: number }) | null> {
  const row = await db.selectFrom("users").select("id").where("oidc_issuer", "=", issuer).where("oidc_subject", "=", subject).executeTakeFirst();
  return row ? getUser(db, row.id) : null;
}

export async function setUserRole(db: Db, id: string, role: Role): Promise<void> {
  await db.updateTable("users").set({ role }).where("id", "=", id).execute();
}

export async function markSignedIn(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable("users").set({ last_sign_in_at: now.toISOString() }).where("id", "=", id).execute();
}

/**
 * Whether removing admin rights from `id` would leave nobody able to manage Minos. Called inside
 * the transaction that demotes or revokes; on PostgreSQL the live admins' rows are locked, so two
 * admins demoting each other at once on two replicas cannot both pass.
 */
export async function isLastAdmin(db: Db, id: string): Promise<boolean> {
  const admins = await db
    .selectFrom("users")
    .select("id")
    .where("role", "=", "admin")
    .where("revoked_at", "is", null)
    .$if(dialectOf(db) === "postgres", (q) => q.forUpdate())
    .execute();
  return admins.length === 1 && admins[0]!.id === id;
}

/** Revokes a user with their sessions and passkeys, in one transaction. The row stays for the audit trail. */
export async function revokeUser(db: Db, id: string, by: string, now: Date): Promise<void> {
  const at = now.toISOString();
  const run = async (trx: Db) => {
    await trx.updateTable("users").set({ revoked_at: at, revoked_by: by }).where("id", "=", id).where("revoked_at", "is", null).execute();
    await trx.updateTable("sessions").set({ revoked_at: at }).where("user_id", "=", id).where("revoked_at", "is", null).execute();
    await trx.updateTable("passkeys").set({ revoked_at: at }).where("user_id", "=", id).where("revoked_at", "is", null).execute();
  };
  // Inside a caller's transaction already (the service's), or a transaction of its own.
  if (db.isTransaction) await run(db);
  else await db.transaction().execute(run);
}

function toUser(r: UserRow): Omit<User, "passkeys"> {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    source: r.source as User["source"],
    createdAt: r.created_at,
    createdBy: r.created_by,
    lastSignInAt: r.last_sign_in_at,
    revokedAt: r.revoked_at,
  };
}

function toPasskey(r: PasskeyRow): Passkey {
  return { id: r.id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, deviceType: r.device_type as Passkey["deviceType"], backedUp: r.backed_up === 1 };
}
