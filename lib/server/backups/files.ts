import "server-only";

import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";

import { SnapshotChecksum } from "@/lib/server/etcd/checksum";
import { AppError } from "@/lib/server/platform/errors";

/**
 * Backup files on this host. A snapshot is written to a hidden temporary name, fsync'd, renamed
 * to its final name and the directory fsync'd, so a crash leaves either no file or a whole one
 * (never a short file under a backup's name); any failure removes the partial file.
 */

/** `MINOS_BACKUP_DIR`, else `<MINOS_STATE_DIR>/backups`, absolute. */
export function backupDir(e: { MINOS_BACKUP_DIR?: string; MINOS_STATE_DIR: string }): string {
  return path.resolve(e.MINOS_BACKUP_DIR ?? path.join(e.MINOS_STATE_DIR, "backups"));
}

/** The name of this Minos host in backup rows (where the file is). */
export function backupHost(e: { MINOS_REPLICA_ID?: string }): string {
  return e.MINOS_REPLICA_ID ?? hostname();
}

/** A file name per backup: its id keeps it unique, the cluster keeps it readable. */
export function backupFileName(id: string, cluster: string): string {
  const safe = cluster.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80) || "cluster";
  return `etcd-${safe}-${id}.snapshot`;
}

/** A file name from a row must stay inside the directory (rows are ours, but a file path is not a place to trust). */
export function backupPath(dir: string, fileName: string): string {
  if (fileName !== path.basename(fileName) || fileName.startsWith(".")) throw new AppError("internal", "A backup file name is not a plain file name");
  return path.join(dir, fileName);
}

export interface WrittenFile {
  sizeBytes: number;
  sha256: string;
  /** The file ends with etcd's sha256 of the bytes before it (./etcd/checksum.ts). */
  etcdChecksumOk: boolean;
}

/** Writes `chunks` to `<dir>/<fileName>` (temp, fsync, rename, fsync dir); empty input is an error. */
export async function writeBackupFile(dir: string, fileName: string, chunks: AsyncIterable<Buffer>): Promise<WrittenFile> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const final = backupPath(dir, fileName);
  const temp = path.join(dir, `.${fileName}.${randomBytes(4).toString("hex")}.partial`);
  const sum = new SnapshotChecksum();
  // 0600: a snapshot holds every Kubernetes Secret of the cluster.
  const fh = await open(temp, "wx", 0o600);
  try {
    for await (const chunk of chunks) {
      sum.update(chunk);
      let off = 0;
      while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
    }
    if (sum.size === 0) throw new AppError("internal", "The snapshot was empty: an empty snapshot is not a backup");
    await fh.sync();
    await fh.close();
    await rename(temp, final);
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(temp, { force: true }).catch(() => {});
    throw e;
  }
  await syncDir(dir);
  return { sizeBytes: sum.size, ...sum.finish() };
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable; some filesystems (and Windows) refuse fsync on a directory.
  const d = await open(dir, "r").catch(() => null);
  if (!d) return;
  await d.sync().catch(() => {});
  await d.close().catch(() => {});
}

/** Removes a backup's file; true when it was there. */
export async function removeBackupFile(dir: string, fileName: string): Promise<boolean> {
  const p = backupPath(dir, fileName);
  const had = await stat(p).then(
    () => true,
    () => false,
  );
  await rm(p, { force: true });
  return had;
}

/** The file's size, or null when it is not on this host. */
export async function backupFileSize(dir: string, fileName: string): Promise<number | null> {
  return stat(backupPath(dir, fileName)).then(
    (s) => (s.isFile() ? s.size : null),
    () => null,
  );
}

/** A file as a web stream (the download body). */
export function backupFileStream(dir: string, fileName: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(backupPath(dir, fileName))) as ReadableStream<Uint8Array>;
}

/**
 * Removes partial files a stopped process left (hidden `.…partial` names) that nobody wrote to
 * for `idleMs`: a snapshot being written (by this or another replica sharing the directory)
 * writes every few milliseconds. Returns how many.
 */
export async function removeStalePartialFiles(dir: string, now: Date, idleMs = 60 * 60_000): Promise<number> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith(".") && n.endsWith(".partial"));
  let removed = 0;
  for (const n of names) {
    const p = path.join(dir, n);
    const s = await stat(p).catch(() => null);
    if (s && now.getTime() - s.mtimeMs > idleMs) {
      await rm(p, { force: true });
      removed++;
    }
  }
  return removed;
}
