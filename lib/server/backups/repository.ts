import "server-only";

import type { Backup, BackupSchedule, PutBackupScheduleBody } from "@/lib/schemas/backups";
import type { Db } from "@/lib/server/platform/db/db";
import type { EtcdBackupsTable } from "@/lib/server/platform/db/schema";

/** The rows of etcd backups and schedules; no file I/O here (./files.ts). */

export function toBackup(r: EtcdBackupsTable): Backup {
  return {
    id: r.id,
    cluster: r.cluster,
    state: r.state as Backup["state"],
    origin: r.origin as Backup["origin"],
    actor: r.actor,
    host: r.host,
    fileName: r.file_name,
    sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
    sha256: r.sha256,
    revision: r.revision === null ? null : Number(r.revision),
    raftIndex: r.raft_index,
    memberId: r.member_id,
    memberHostname: r.member_hostname,
    node: r.node,
    error: r.error,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export async function insertBackup(db: Db, b: { id: string; cluster: string; origin: Backup["origin"]; actor: string; host: string; startedAt: Date }): Promise<Backup> {
  const row: EtcdBackupsTable = {
    id: b.id,
    cluster: b.cluster,
    state: "running",
    origin: b.origin,
    actor: b.actor,
    host: b.host,
    file_name: null,
    size_bytes: null,
    sha256: null,
    revision: null,
    raft_index: null,
    member_id: null,
    member_hostname: null,
    node: null,
    error: null,
    started_at: b.startedAt.toISOString(),
    finished_at: null,
  };
  await db.insertInto("etcd_backups").values(row).execute();
  return toBackup(row);
}

export type BackupFinish =
  | { state: "succeeded"; fileName: string; sizeBytes: number; sha256: string; revision: number | null; raftIndex: string | null; memberId: string; memberHostname: string; node: string | null }
  | { state: "failed"; error: string; memberId?: string | null; memberHostname?: string | null; node?: string | null; raftIndex?: string | null };

export async function finishBackup(db: Db, id: string, f: BackupFinish, at: Date): Promise<Backup> {
  const set =
    f.state === "succeeded"
      ? { state: f.state, file_name: f.fileName, size_bytes: f.sizeBytes, sha256: f.sha256, revision: f.revision, raft_index: f.raftIndex, member_id: f.memberId, member_hostname: f.memberHostname, node: f.node, error: null, finished_at: at.toISOString() }
      : { state: f.state, error: f.error, member_id: f.memberId ?? null, member_hostname: f.memberHostname ?? null, node: f.node ?? null, raft_index: f.raftIndex ?? null, finished_at: at.toISOString() };
  const r = await db.updateTable("etcd_backups").set(set).where("id", "=", id).returningAll().executeTakeFirstOrThrow();
  return toBackup(r);
}

/** Newest first. */
export async function listBackups(db: Db, cluster?: string, limit = 500): Promise<Backup[]> {
  const rows = await db
    .selectFrom("etcd_backups")
    .selectAll()
    .$if(cluster !== undefined, (q) => q.where("cluster", "=", cluster!))
    .orderBy("started_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map(toBackup);
}

export async function getBackup(db: Db, id: string): Promise<Backup | null> {
  const r = await db.selectFrom("etcd_backups").selectAll().where("id", "=", id).executeTakeFirst();
  return r ? toBackup(r) : null;
}

export async function deleteBackupRows(db: Db, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db.deleteFrom("etcd_backups").where("id", "in", ids).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The start of the newest backup of each cluster (any origin: a person's backup counts towards the interval). */
export async function lastBackupTimes(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom("etcd_backups").select(["cluster"]).select((eb) => eb.fn.max("started_at").as("last")).groupBy("cluster").execute();
  return new Map(rows.map((r) => [r.cluster, String(r.last)]));
}

export interface ScheduleRow {
  cluster: string;
  enabled: boolean;
  intervalMinutes: number;
  retainCount: number;
  maxAgeDays: number | null;
  updatedAt: string;
  updatedBy: string;
}

export async function listSchedules(db: Db): Promise<ScheduleRow[]> {
  const rows = await db.selectFrom("etcd_backup_schedules").selectAll().orderBy("cluster").execute();
  return rows.map((r) => ({ cluster: r.cluster, enabled: Number(r.enabled) === 1, intervalMinutes: Number(r.interval_minutes), retainCount: Number(r.retain_count), maxAgeDays: r.max_age_days === null ? null : Number(r.max_age_days), updatedAt: r.updated_at, updatedBy: r.updated_by }));
}

export async function getSchedule(db: Db, cluster: string): Promise<ScheduleRow | null> {
  return (await listSchedules(db)).find((s) => s.cluster === cluster) ?? null;
}

export async function putSchedule(db: Db, cluster: string, body: PutBackupScheduleBody, by: string, at: Date): Promise<ScheduleRow> {
  const row = { cluster, enabled: body.enabled ? 1 : 0, interval_minutes: body.intervalMinutes, retain_count: body.retainCount, max_age_days: body.maxAgeDays ?? null, updated_at: at.toISOString(), updated_by: by };
  await db
    .insertInto("etcd_backup_schedules")
    .values(row)
    .onConflict((oc) => oc.column("cluster").doUpdateSet({ enabled: row.enabled, interval_minutes: row.interval_minutes, retain_count: row.retain_count, max_age_days: row.max_age_days, updated_at: row.updated_at, updated_by: row.updated_by }))
    .execute();
  return { cluster, enabled: body.enabled, intervalMinutes: body.intervalMinutes, retainCount: body.retainCount, maxAgeDays: body.maxAgeDays ?? null, updatedAt: row.updated_at, updatedBy: by };
}

/** The schedule a cluster shows: its row, or the default (off). */
export function scheduleView(cluster: string, row: ScheduleRow | null, lastBackupAt: string | null, nextRunAt: string | null): BackupSchedule {
  return {
    cluster,
    enabled: row?.enabled ?? false,
    intervalMinutes: row?.intervalMinutes ?? DEFAULT_SCHEDULE.intervalMinutes,
    retainCount: row?.retainCount ?? DEFAULT_SCHEDULE.retainCount,
    maxAgeDays: row ? row.maxAgeDays : DEFAULT_SCHEDULE.maxAgeDays,
    updatedAt: row?.updatedAt ?? null,
    updatedBy: row?.updatedBy ?? null,
    lastBackupAt,
    nextRunAt,
  };
}

/** What an unset schedule shows (and a person starts from): off, every 6 hours, keep 10 for 30 days. */
export const DEFAULT_SCHEDULE = { intervalMinutes: 360, retainCount: 10, maxAgeDays: 30 as number | null } as const;

/**
 * Backups this host was writing when its process stopped (started before `before`, still
 * running) become failed with that reason, so none stays "running" for ever. Returns them.
 */
export async function failInterrupted(db: Db, host: string, before: Date, at: Date): Promise<Backup[]> {
  const rows = await db
    .updateTable("etcd_backups")
    .set({ state: "failed", error: "Minos stopped while writing this backup; its partial file was removed", finished_at: at.toISOString() })
    .where("host", "=", host)
    .where("state", "=", "running")
    .where("started_at", "<", before.toISOString())
    .returningAll()
    .execute();
  return rows.map(toBackup);
}
