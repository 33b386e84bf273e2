import "server-only";

import { randomUUID } from "node:crypto";

import type { SecretBox } from "@/lib/server/platform/secret-box";
import type { LegacyDb as Db } from "@/lib/server/platform/db/db";

/** A talosconfig uploaded in the UI, without its content. */
export interface UploadMeta {
  id: string;
  /** The operator's label, else the context names. */
  name: string;
  /** The context names the file defines (kept in clear so listing never decrypts keys). */
  contexts: string[];
  uploadedAt: string;
  uploadedBy: string;
}

/** An upload with its talosconfig YAML, opened. */
export interface Upload extends UploadMeta {
  talosconfig: string;
}

interface Row {
  id: string;
  name: string;
  contexts: string;
  uploaded_at: string;
  uploaded_by: string;
  content: string;
  key_id: string;
}

// The upload's id is the associated data: a sealed file moved onto another row fails to open.
const aad = (id: string) => `cluster-upload:${id}`;

function meta(r: Row): UploadMeta {
  return { id: r.id, name: r.name, contexts: JSON.parse(r.contexts) as string[], uploadedAt: r.uploaded_at, uploadedBy: r.uploaded_by };
}

/**
 * Stores an uploaded talosconfig, its YAML sealed with the SecretBox (it holds client keys).
 * The caller has parsed it and checked its context names.
 */
export function insertUpload(
  db: Db,
  box: SecretBox,
  input: { name: string; contexts: string[]; talosconfig: string; uploadedBy: string },
  now = new Date(),
): UploadMeta {
  const id = randomUUID();
  db.prepare("INSERT INTO cluster_uploads (id, name, contexts, uploaded_at, uploaded_by, content, key_id) VALUES (?, ?, ?, ?, ?, ?, ?)").run(
    id,
    input.name,
    JSON.stringify(input.contexts),
    now.toISOString(),
    input.uploadedBy,
    box.seal(input.talosconfig, aad(id)),
    box.keyId,
  );
  return { id, name: input.name, contexts: input.contexts, uploadedAt: now.toISOString(), uploadedBy: input.uploadedBy };
}

/** Every upload's metadata, oldest first. */
export function listUploadMeta(db: Db): UploadMeta[] {
  return (db.prepare("SELECT * FROM cluster_uploads ORDER BY uploaded_at, id").all() as Row[]).map(meta);
}

/** Every upload, opened, oldest first. @throws AppError misconfigured when sealed under another key. */
export function listUploads(db: Db, box: SecretBox): Upload[] {
  return (db.prepare("SELECT * FROM cluster_uploads ORDER BY uploaded_at, id").all() as Row[]).map((r) => ({
    ...meta(r),
    talosconfig: box.open(r.content, aad(r.id), r.key_id),
  }));
}

/** Deletes an upload; returns its metadata, or null when there was none. */
export function deleteUpload(db: Db, id: string): UploadMeta | null {
  const row = db.prepare("SELECT * FROM cluster_uploads WHERE id = ?").get(id) as Row | undefined;
  if (!row) return null;
  db.prepare("DELETE FROM cluster_uploads WHERE id = ?").run(id);
  return meta(row);
}
