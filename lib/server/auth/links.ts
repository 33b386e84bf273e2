import "server-only";

import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { Invitation, LinkPreview, Role } from "@/lib/schemas/auth";
import type { LegacyDb as Db } from "@/lib/server/platform/db/db";
import { randomId, randomSecret, sha256 } from "@/lib/server/auth/crypto";
import { countAllUsers } from "@/lib/server/auth/users";
import { AppError } from "@/lib/server/platform/errors";

/** How long the first-start link lives. */
export const BOOTSTRAP_TTL_MS = 15 * 60_000;
/** Where the first-start link is written for launchers and tests (mode 0600). */
export const BOOTSTRAP_FILE = "bootstrap-link.txt";

type LinkKind = "bootstrap" | "invitation";

interface LinkRow {
  id: string;
  token_hash: string;
  kind: LinkKind;
  role: Role;
  name: string | null;
  created_at: string;
  created_by: string;
  expires_at: string;
  used_at: string | null;
  used_by: string | null;
  revoked_at: string | null;
}

/** The URL for a link. The secret rides in the fragment, which browsers never send to a server or a log. */
export function linkUrl(origin: URL, kind: LinkKind, token: string): string {
  return new URL(`/${kind === "bootstrap" ? "setup" : "invite"}#token=${token}`, origin).toString();
}

/**
 * On a database without any user, makes sure a valid first-start link exists, and returns it
 * when it was just created (the caller logs it). The plaintext lives only in
 * `<stateDir>/bootstrap-link.txt` (0600) until it is used, so a restart within the 15 minutes
 * prints the same link again.
 */
export function ensureBootstrapLink(db: Db, opts: { origin: URL; stateDir: string }, now: Date): { url: string; expiresAt: Date; created: boolean } | null {
  if (countAllUsers(db) > 0) return null;
  const file = path.join(opts.stateDir, BOOTSTRAP_FILE);
  const live = db
    .prepare("SELECT expires_at FROM sign_in_links WHERE kind = 'bootstrap' AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC")
    .pluck()
    .get(now.toISOString()) as string | undefined;
  if (live) {
    let url = "";
    try {
      url = readFileSync(file, "utf8").trim();
    } catch {
      // The file was removed by hand: the link still works for whoever copied it from the log.
    }
    return { url, expiresAt: new Date(live), created: false };
  }
  const token = randomSecret();
  const expiresAt = new Date(now.getTime() + BOOTSTRAP_TTL_MS);
  db.transaction(() => {
    // Only the newest first-start link works: an old one in a scrollback buffer is dead.
    db.prepare("UPDATE sign_in_links SET revoked_at = ? WHERE kind = 'bootstrap' AND used_at IS NULL AND revoked_at IS NULL").run(now.toISOString());
    db.prepare("INSERT INTO sign_in_links (id, token_hash, kind, role, name, created_at, created_by, expires_at) VALUES (?, ?, 'bootstrap', 'admin', NULL, ?, 'system', ?)").run(
      randomId(),
      sha256(token),
      now.toISOString(),
      expiresAt.toISOString(),
    );
  })();
  const url = linkUrl(opts.origin, "bootstrap", token);
  mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${url}\n`, { mode: 0o600 });
  return { url, expiresAt, created: true };
}

export function removeBootstrapFile(stateDir: string): void {
  rmSync(path.join(stateDir, BOOTSTRAP_FILE), { force: true });
}

/** Creates an invitation; returns its row and the one-time secret (never stored). */
export function createInvitation(db: Db, input: { role: Role; name?: string; expiresInHours: number; createdBy: string }, now: Date): { invitation: Invitation; token: string } {
  const token = randomSecret();
  const id = randomId();
  db.prepare("INSERT INTO sign_in_links (id, token_hash, kind, role, name, created_at, created_by, expires_at) VALUES (?, ?, 'invitation', ?, ?, ?, ?, ?)").run(
    id,
    sha256(token),
    input.role,
    input.name ?? null,
    now.toISOString(),
    input.createdBy,
    new Date(now.getTime() + input.expiresInHours * 3_600_000).toISOString(),
  );
  return { invitation: toInvitation(db.prepare("SELECT * FROM sign_in_links WHERE id = ?").get(id) as LinkRow), token };
}

/** Invitations, newest first (used, revoked and expired ones too: the page shows their state). */
export function listInvitations(db: Db): Invitation[] {
  return (db.prepare("SELECT * FROM sign_in_links WHERE kind = 'invitation' ORDER BY created_at DESC LIMIT 200").all() as LinkRow[]).map(toInvitation);
}

export function revokeInvitation(db: Db, id: string, now: Date): Invitation {
  const row = db.prepare("SELECT * FROM sign_in_links WHERE id = ? AND kind = 'invitation'").get(id) as LinkRow | undefined;
  if (!row) throw new AppError("not_found", "No such invitation");
  if (row.used_at) throw new AppError("conflict", `This invitation was already accepted by ${row.used_by}`);
  db.prepare("UPDATE sign_in_links SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?").run(now.toISOString(), id);
  return toInvitation(db.prepare("SELECT * FROM sign_in_links WHERE id = ?").get(id) as LinkRow);
}

/**
 * The live link behind a token. Every way a link can be dead gets the same answer, so the
 * response says nothing about which secrets once existed.
 */
export function findLiveLink(db: Db, token: string, now: Date): LinkRow {
  const row = db.prepare("SELECT * FROM sign_in_links WHERE token_hash = ?").get(sha256(token)) as LinkRow | undefined;
  if (!row || row.used_at || row.revoked_at || Date.parse(row.expires_at) <= now.getTime()) {
    throw new AppError("not_found", "This link is not valid: it was used, revoked, or has expired. Ask an admin for a new one.");
  }
  return row;
}

export function previewLink(db: Db, token: string, now: Date): LinkPreview {
  const row = findLiveLink(db, token, now);
  return { kind: row.kind, role: row.role, name: row.name, expiresAt: row.expires_at };
}

/** Marks a link used; false when someone else used it first (the caller's transaction then aborts). */
export function consumeLink(db: Db, id: string, usedBy: string, now: Date): boolean {
  return db.prepare("UPDATE sign_in_links SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL").run(now.toISOString(), usedBy, id).changes === 1;
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
