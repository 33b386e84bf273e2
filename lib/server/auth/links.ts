import "server-only";

import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { sql, type Selectable } from "kysely";

import type { Invitation, LinkPreview, Role } from "@/lib/schemas/auth";
import { dialectOf, type Db } from "@/lib/server/platform/db/db";
import type { SignInLinksTable } from "@/lib/server/platform/db/schema";
import { randomId, randomSecret, sha256 } from "@/lib/server/auth/crypto";
import { countAllUsers } from "@/lib/server/auth/users";
import { AppError } from "@/lib/server/platform/errors";

/** How long the first-start link lives. */
export const BOOTSTRAP_TTL_MS = 15 * 60_000;
/** Where the first-start link is written for launchers and tests (mode 0600). */
export const BOOTSTRAP_FILE = "bootstrap-link.txt";

type LinkKind = "bootstrap" | "invitation";

const LINK_COLUMNS = ["id", "kind", "role", "name", "created_at", "created_by", "expires_at", "used_at", "used_by", "revoked_at"] as const;

/** A row as read: the table's columns, with the texts the code wrote typed as what they are. */
type LinkRow = Omit<Pick<Selectable<SignInLinksTable>, (typeof LINK_COLUMNS)[number]>, "kind" | "role"> & { kind: LinkKind; role: Role };

/** The URL for a link. The secret rides in the fragment, which browsers never send to a server or a log. */
export function linkUrl(origin: URL, kind: LinkKind, token: string): string {
  return new URL(`/${kind === "bootstrap" ? "setup" : "invite"}#token=${token}`, origin).toString();
}

/** An arbitrary constant: the advisory lock PostgreSQL replicas take while making the first-start link. */
const BOOTSTRAP_LOCK = 741_130_015;

/**
 * On a database without any user, makes sure a valid first-start link exists, and returns it
 * when it was just created (the caller logs it). The plaintext lives only in
 * `<stateDir>/bootstrap-link.txt` (0600) of the replica that made it, until it is used, so a
 * restart within the 15 minutes prints the same link again. Deciding and minting is one
 * transaction (under an advisory lock on PostgreSQL, as there is no row to lock yet): replicas
 * starting together make one link, not one each that revokes the other's.
 */
export async function ensureBootstrapLink(db: Db, opts: { origin: URL; stateDir: string }, now: Date): Promise<{ url: string; expiresAt: Date; created: boolean } | null> {
  if ((await countAllUsers(db)) > 0) return null;
  const decided = await db.transaction().execute(async (trx) => {
    if (dialectOf(trx) === "postgres") await sql`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`.execute(trx);
    if ((await countAllUsers(trx)) > 0) return null;
    const live = await trx
      .selectFrom("sign_in_links")
      .select("expires_at")
      .where("kind", "=", "bootstrap")
      .where("used_at", "is", null)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", now.toISOString())
      .orderBy("created_at", "desc")
      .executeTakeFirst();
    if (live) return { token: null, expiresAt: new Date(live.expires_at) };
    const token = randomSecret();
    const expiresAt = new Date(now.getTime() + BOOTSTRAP_TTL_MS);
    // Only the newest first-start link works: an old one in a scrollback buffer is dead.
    await trx
      .updateTable("sign_in_links")
      .set({ revoked_at: now.toISOString() })
      .where("kind", "=", "bootstrap")
      .where("used_at", "is", null)
      .where("revoked_at", "is", null)
      .execute();
    await trx
      .insertInto("sign_in_links")
      .values({ id: randomId(), token_hash: sha256(token), kind: "bootstrap", role: "admin", name: null, created_at: now.toISOString(), created_by: "system", expires_at: expiresAt.toISOString() })
      .execute();
    return { token, expiresAt };
  });
  if (!decided) return null;
  const file = path.join(opts.stateDir, BOOTSTRAP_FILE);
  if (decided.token === null) {
    let url = "";
    try {
      url = readFileSync(file, "utf8").trim();
    } catch {
      // Removed by hand, or another replica made the link: it still works for whoever copied it from that log.
    }
    return { url, expiresAt: decided.expiresAt, created: false };
  }
  const url = linkUrl(opts.origin, "bootstrap", decided.token);
  mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${url}\n`, { mode: 0o600 });
  return { url, expiresAt: decided.expiresAt, created: true };
}

export function removeBootstrapFile(stateDir: string): void {
  rmSync(path.join(stateDir, BOOTSTRAP_FILE), { force: true });
}

async function linkById(db: Db, id: string): Promise<LinkRow | undefined> {
  return (await db.selectFrom("sign_in_links").select(LINK_COLUMNS).where("id", "=", id).executeTakeFirst()) as LinkRow | undefined;
}

/** Creates an invitation; returns its row and the one-time secret (never stored). */
export async function createInvitation(db: Db, input: { role: Role; name?: string; expiresInHours: number; createdBy: string }, now: Date): Promise<{ invitation: Invitation; token: string }> {
  const token = randomSecret();
  const id = randomId();
  await db
    .insertInto("sign_in_links")
    .values({
      id,
      token_hash: sha256(token),
      kind: "invitation",
      role: input.role,
      name: input.name ?? null,
      created_at: now.toISOString(),
      created_by: input.createdBy,
      expires_at: new Date(now.getTime() + input.expiresInHours * 3_600_000).toISOString(),
    })
    .execute();
  return { invitation: toInvitation((await linkById(db, id))!), token };
}

/** Invitations, newest first (used, revoked and expired ones too: the page shows their state). */
export async function listInvitations(db: Db): Promise<Invitation[]> {
  const rows = await db.selectFrom("sign_in_links").select(LINK_COLUMNS).where("kind", "=", "invitation").orderBy("created_at", "desc").orderBy("id").limit(200).execute();
  return (rows as LinkRow[]).map(toInvitation);
}

export async function revokeInvitation(db: Db, id: string, now: Date): Promise<Invitation> {
  // One conditional UPDATE: an accept committing meanwhile (another replica) makes it match nothing,
  // rather than an unlocked read deciding and the invitation being reported revoked though used.
  const r = await db
    .updateTable("sign_in_links")
    .set({ revoked_at: now.toISOString() })
    .where("id", "=", id)
    .where("kind", "=", "invitation")
    .where("used_at", "is", null)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  const row = await linkById(db, id);
  if (!row || row.kind !== "invitation") throw new AppError("not_found", "No such invitation");
  if (Number(r.numUpdatedRows) === 0) {
    if (row.used_at) throw new AppError("conflict", `This invitation was already accepted by ${row.used_by}`);
    // Revoked by an earlier request: one revocation, one audit entry.
    throw new AppError("conflict", "This invitation was already revoked");
  }
  return toInvitation(row);
}

/**
 * The live link behind a token. Every way a link can be dead gets the same answer, so the
 * response says nothing about which secrets once existed.
 */
export async function findLiveLink(db: Db, token: string, now: Date): Promise<LinkRow> {
  const row = (await db.selectFrom("sign_in_links").select(LINK_COLUMNS).where("token_hash", "=", sha256(token)).executeTakeFirst()) as LinkRow | undefined;
  if (!row || row.used_at || row.revoked_at || Date.parse(row.expires_at) <= now.getTime()) {
    throw new AppError("not_found", "This link is not valid: it was used, revoked, or has expired. Ask an admin for a new one.");
  }
  return row;
}

export async function previewLink(db: Db, token: string, now: Date): Promise<LinkPreview> {
  const row = await findLiveLink(db, token, now);
  return { kind: row.kind, role: row.role, name: row.name, expiresAt: row.expires_at };
}

/**
 * Marks a link used; false when someone else used it first (the caller's transaction then
 * aborts). One conditional UPDATE: of two redemptions racing on two replicas, one wins.
 */
export async function consumeLink(db: Db, id: string, usedBy: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable("sign_in_links")
    .set({ used_at: now.toISOString(), used_by: usedBy })
    .where("id", "=", id)
    .where("used_at", "is", null)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

function toInvitation(r: LinkRow): Invitation {
  return {
    id: r.id,
    role: r.role,
    name: r.name,
    createdAt: r.created_at,
    createdBy: r.created_by,
    expiresAt: r.expires_at,
    usedAt: r.used_at,
    usedBy: r.used_by,
    revokedAt: r.revoked_at,
  };
}
