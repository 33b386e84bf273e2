import "server-only";

import { randomBytes } from "node:crypto";

import type { Backup, BackupEvent } from "@/lib/schemas/backups";
import type { EtcdActionTarget } from "@/lib/server/etcd/actions";
import { checksumFailure } from "@/lib/server/etcd/checksum";
import { openSnapshot, type OpenedSnapshot } from "@/lib/server/etcd/snapshot";
import { errorText } from "@/lib/server/jobs";
import { recordAudit } from "@/lib/server/platform/audit";
import type { Db } from "@/lib/server/platform/db/db";
import { AppError, isAppError } from "@/lib/server/platform/errors";

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
 * cluster when it has a schedule.
 */
export async function takeBackup(deps: BackupDeps, input: { cluster: string; actor: string; origin: Backup["origin"]; member?: string; signal?: AbortSignal }): Promise<Backup> {
  const started = deps.now();
  const row = await insertBackup(deps.db, { id: newBackupId(started), cluster: input.cluster, origin: input.origin, actor: input.actor, host: deps.host, startedAt: started });
  deps.publish({ type: "backup", backup: row });
  const fileName = backupFileName(row.id, input.cluster);
  let opened: OpenedSnapshot | null = null;
  let done: Backup;
  try {
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
    const code = isAppError(e) ? e.code : "internal";
    done = await finishBackup(deps.db, row.id, { state: "failed", error: errorText(e), memberId: m?.id, memberHostname: m?.hostname, node: m?.node, raftIndex: opened?.raftIndex }, deps.now());
    await recordAudit(deps.db, { actor: input.actor, action: "backup.create", target: input.cluster, result: "failed", details: { id: row.id, origin: input.origin, member: m?.id ?? null, error: { code, message: errorText(e) } } }).catch(() => {});
    deps.publish({ type: "backup", backup: done });
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
