import "server-only";

import { randomUUID } from "node:crypto";

import type { Selectable } from "kysely";

import type { SecretBox } from "@/lib/server/platform/secret-box";
import type { Db } from "@/lib/server/platform/db/db";
import type { ClusterUploadsTable } from "@/lib/server/platform/db/schema";

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
  /** Its contexts replace the talosconfig file's of the same names (a CA rotation's new credentials). */
  overridesFile: boolean;
}

type Row = Selectable<ClusterUploadsTable>;
const META = ["id", "name", "contexts", "uploaded_at", "uploaded_by"] as const;

// The upload's id is the associated data: a sealed file moved onto another row fails to open.
const aad = (id: string) => `cluster-upload:${id}`;

function meta(r: Pick<Row, (typeof META)[number]>): UploadMeta {
  return { id: r.id, name: r.name, contexts: JSON.parse(r.contexts) as string[], uploadedAt: r.uploaded_at, uploadedBy: r.uploaded_by };
}

/**
 * Stores an uploaded talosconfig, its YAML sealed with the SecretBox (it holds client keys).
 * The caller has parsed it and checked its context names.
 */
export async function insertUpload(
  db: Db,
  box: SecretBox,
  input: { name: string; contexts: string[]; talosconfig: string; uploadedBy: string; overridesFile?: boolean },
  now = new Date(),
): Promise<UploadMeta> {
  const id = randomUUID();
  await db
    .insertInto("cluster_uploads")
    .values({
      id,
      name: input.name,
      contexts: JSON.stringify(input.contexts),
      uploaded_at: now.toISOString(),
      uploaded_by: input.uploadedBy,
      content: box.seal(input.talosconfig, aad(id)),
      key_id: box.keyId,
      overrides_file: input.overridesFile ? 1 : 0,
    })
    .execute();
  return { id, name: input.name, contexts: input.contexts, uploadedAt: now.toISOString(), uploadedBy: input.uploadedBy };
}

/** Every upload's metadata, oldest first. */
export async function listUploadMeta(db: Db): Promise<UploadMeta[]> {
  return (await db.selectFrom("cluster_uploads").select(META).orderBy("uploaded_at").orderBy("id").execute()).map(meta);
}

/** Every upload, opened, oldest first. @throws AppError misconfigured when sealed under another key. */
export async function listUploads(db: Db, box: SecretBox): Promise<Upload[]> {
  return (await db.selectFrom("cluster_uploads").selectAll().orderBy("uploaded_at").orderBy("id").execute()).map((r) => ({
    ...meta(r),
    talosconfig: box.open(r.content, aad(r.id), r.key_id),
    overridesFile: r.overrides_file === 1,
  }));
}

/**
 * What identifies the set of uploads, read without their content: every replica compares it to
 * the one its cached fleet was built from, so an upload or removal made through another replica
 * is seen on the next read. Rows are never updated (an upload is replaced by delete and insert,
 * under a new random id), so the ids alone identify the table's content.
 */
export async function uploadsFingerprint(db: Db): Promise<string> {
  // Sorted here, not by the store's collation, so it compares equal to fingerprintOf(the rows).
  return fingerprintOf(await db.selectFrom("cluster_uploads").select("id").execute());
}

/** The fingerprint of uploads already read (see uploadsFingerprint). */
export function fingerprintOf(rows: readonly { id: string }[]): string {
  return rows
    .map((r) => r.id)
    .sort()
    .join(",");
}

/** Deletes an upload; returns its metadata, or null when there was none. */
export async function deleteUpload(db: Db, id: string): Promise<UploadMeta | null> {
  const row = await db.deleteFrom("cluster_uploads").where("id", "=", id).returning(META).executeTakeFirst();
  return row ? meta(row) : null;
}
