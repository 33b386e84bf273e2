import "server-only";

import { randomBytes } from "node:crypto";
import { statfs } from "node:fs/promises";

import type { Backup, BackupEvent } from "@/lib/schemas/backups";
import type { EtcdActionTarget } from "@/lib/server/etcd/actions";
import { checksumFailure } from "@/lib/server/etcd/checksum";
import { openSnapshot, type OpenedSnapshot } from "@/lib/server/etcd/snapshot";
import { errorText } from "@/lib/server/jobs";
import { recordAudit } from "@/lib/server/platform/audit";
import type { Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import { holdLease } from "@/lib/server/platform/leases";
import { publicFailure, toAppError } from "@/lib/server/talos/errors";

import { snapshotRevision } from "./bbolt";
import { backupFileName, backupPath, removeBackupFile, writeBackupFile } from "./files";
import { deleteBackupRows, finishBackup, getSchedule, insertBackup, listBackups } from "./repository";
import { backupsToPrune } from "./retention";

export type { BackupEvent };

export interface BackupDeps {
  db: Db;
  /** This host's backup directory and its name in rows. */
  dir: string;
  host: string;
  /** The cluster's Talos client and control planes. */
  etcd(cluster: string): Promise<EtcdActionTarget>;
  publish(e: BackupEvent): void;
  now(): Date;
  /** Free bytes where `dir` is (statfs); tests may fake it. */
  freeBytes?(dir: string): Promise<number | null>;
}

/** The lease that lets one backup of a cluster run at a time, across replicas. */
export const backupLeaseName = (cluster: string) => `etcd-backup:${cluster}`;

/** Free bytes on the filesystem holding `dir` (null when it cannot be told, e.g. no directory yet). */
export async function statfsFreeBytes(dir: string): Promise<number | null> {
  const s = await statfs(dir).catch(() => null);
  return s ? s.bavail * s.bsize : null;
}

/**
 * A failure as a backup row shows it to every viewer: a transport failure reads "No answer from
 * the Talos API" (publicFailure), never the address and port the transport named; the detail
 * goes to the server log.
 */
function publicError(e: unknown, cluster: string): { code: string; message: string; detail: string } {
  const raw = toAppError(e);
  const pub = publicFailure(raw);
  if (pub.message !== raw.message) console.warn(`[minos] backup of ${cluster} failed: ${errorText(e)}`);
  return { code: pub.code, message: pub.message, detail: raw.message };
}

export function newBackupId(now: Date): string {
  // Time first, so ids sort by creation as well as by row time.
  return `bk_${now.getTime().toString(36)}${randomBytes(5).toString("hex")}`;
}

/**
 * Takes one backup of `cluster`: a row (running) first, then EtcdSnapshot from a healthy member
 * (or `member`) into a file here; the row ends succeeded with size, sha256, revision and member,
 * or failed with the reason (the partial file removed). Audited and published either way. Never
 * throws for a failed snapshot: the failed backup is the answer. Retention then runs for the
 * cluster when it has a schedule (manual backups included, failed ones too).
 *
 * One backup of a cluster at a time, whoever asks and on whichever replica (a lease): a second
 * one is refused with a conflict before any row, so manual backups cannot pile up snapshots in
 * parallel. A backup is also refused (a failed row saying why) when this host's backup
 * filesystem has less free space than the cluster's last snapshot took.
 */
export async function takeBackup(deps: BackupDeps, input: { cluster: string; actor: string; origin: Backup["origin"]; member?: string; signal?: AbortSignal }): Promise<Backup> {
  const started = deps.now();
  const id = newBackupId(started);
  // The owner is this backup, not the replica: two requests on one replica must not share it.
  const lease = await holdLease(deps.db, backupLeaseName(input.cluster), `${deps.host}/${id}`);
  if (!lease) throw new AppError("conflict", `A backup of cluster "${input.cluster}" is already running; wait for it to finish`);
  try {
    return await takeBackupHeld(deps, input, id, started);
  } finally {
    await lease.release();
  }
}

async function takeBackupHeld(deps: BackupDeps, input: { cluster: string; actor: string; origin: Backup["origin"]; member?: string; signal?: AbortSignal }, id: string, started: Date): Promise<Backup> {
  const row = await insertBackup(deps.db, { id, cluster: input.cluster, origin: input.origin, actor: input.actor, host: deps.host, startedAt: started });
  deps.publish({ type: "backup", backup: row });
  const fileName = backupFileName(row.id, input.cluster);
  let opened: OpenedSnapshot | null = null;
  let done: Backup;
  try {
    await assertRoomFor(deps, input.cluster);
    const target = await deps.etcd(input.cluster);
    opened = await openSnapshot({ ...target, opts: { signal: input.signal } }, input.member);
    const first = opened.first;
    const rest = opened.rest;
    const chunks = (async function* () {
      yield first;
      yield* rest;
    })();
    const written = await writeBackupFile(deps.dir, fileName, chunks);
    if (!written.etcdChecksumOk) {
      await removeBackupFile(deps.dir, fileName);
      throw new AppError("internal", checksumFailure(written.sizeBytes));
    }
    const revision = await snapshotRevision(backupPath(deps.dir, fileName)).catch(() => null);
    done = await finishBackup(
      deps.db,
      row.id,
      { state: "succeeded", fileName, sizeBytes: written.sizeBytes, sha256: written.sha256, revision, raftIndex: opened.raftIndex, memberId: opened.member.id, memberHostname: opened.member.hostname, node: opened.member.node },
      deps.now(),
    );
  } catch (e) {
    const m = opened?.member;
    const err = publicError(e, input.cluster);
    done = await finishBackup(deps.db, row.id, { state: "failed", error: err.message, memberId: m?.id, memberHostname: m?.hostname, node: m?.node, raftIndex: opened?.raftIndex }, deps.now());
    await recordAudit(deps.db, { actor: input.actor, action: "backup.create", target: input.cluster, result: "failed", details: { id: row.id, origin: input.origin, member: m?.id ?? null, error: { code: err.code, message: err.message } } }).catch(() => {});
    deps.publish({ type: "backup", backup: done });
    await applyRetention(deps, input.cluster).catch((x: unknown) => console.error(`[minos] backup retention for ${input.cluster} failed`, x));
    return done;
  }
  await recordAudit(deps.db, {
    actor: input.actor,
    action: "backup.create",
    target: input.cluster,
    result: "ok",
    details: { id: done.id, origin: input.origin, member: done.memberId, hostname: done.memberHostname, sizeBytes: done.sizeBytes, sha256: done.sha256, revision: done.revision },
  });
  deps.publish({ type: "backup", backup: done });
  await applyRetention(deps, input.cluster).catch((e: unknown) => console.error(`[minos] backup retention for ${input.cluster} failed`, e));
  return done;
}

/**
 * Refuses a backup that would likely fill this host's disk: less free space where the files go
 * than the cluster's newest succeeded snapshot took (a new one is about as large). Unknown free
 * space or no earlier snapshot lets it go ahead.
 */
async function assertRoomFor(deps: BackupDeps, cluster: string): Promise<void> {
  const last = (await listBackups(deps.db, cluster, 50)).find((b) => b.state === "succeeded" && b.sizeBytes !== null);
  if (!last?.sizeBytes) return;
  const free = await (deps.freeBytes ?? statfsFreeBytes)(deps.dir);
  if (free !== null && free < last.sizeBytes) {
    throw new AppError("conflict", `Not enough free disk space for a backup on Minos host "${deps.host}": ${free} bytes free, and the last snapshot of ${cluster} took ${last.sizeBytes}; delete old backups or set a retention`, { details: { freeBytes: free, lastSizeBytes: last.sizeBytes } });
  }
}

/**
 * Applies the cluster's schedule retention (count and age) to its backups on this host: file
 * first, then row, so a crash in between leaves a row whose file is gone (shown, deletable), never
 * an unlisted file. Backups on another host are left to that host. Returns the removed ids.
 */
export async function applyRetention(deps: BackupDeps, cluster: string): Promise<string[]> {
  const schedule = await getSchedule(deps.db, cluster);
  if (!schedule) return [];
  const all = await listBackups(deps.db, cluster, 10_000);
  const prune = backupsToPrune(all, schedule, deps.now()).filter((b) => b.host === deps.host || b.fileName === null);
  for (const b of prune) {
    if (b.fileName) await removeBackupFile(deps.dir, b.fileName);
  }
  await deleteBackupRows(
    deps.db,
    prune.map((b) => b.id),
  );
  if (prune.length > 0) {
    await recordAudit(deps.db, { actor: "minos", action: "backup.prune", target: cluster, result: "ok", details: { removed: prune.map((b) => b.id), retainCount: schedule.retainCount, maxAgeDays: schedule.maxAgeDays } });
    for (const b of prune) deps.publish({ type: "removed", id: b.id, cluster });
  }
  return prune.map((b) => b.id);
}
