import "server-only";

import type { Backup, BackupDetail, BackupSchedule, PutBackupScheduleBody } from "@/lib/schemas/backups";
import type { Actor } from "@/lib/server/auth/actor";
import { defaultEtcdDeps } from "@/lib/server/etcd/service";
import { getClusterContextOrThrow } from "@/lib/server/fleet/clients";
import { listClusters } from "@/lib/server/fleet/clusters";
import { assertActionAvailable } from "@/lib/server/fleet/talos-access";
import { recordAudit } from "@/lib/server/platform/audit";
import { getDb } from "@/lib/server/platform/db/db";
import { env } from "@/lib/server/platform/env";
import { AppError } from "@/lib/server/platform/errors";
import { publish } from "@/lib/server/platform/events";
import { processState } from "@/lib/server/platform/process-state";
import { relayTopic } from "@/lib/server/platform/relay";
import { replicaId } from "@/lib/server/platform/replica";

import { backupDir, backupFileSize, backupFileStream, backupHost, removeBackupFile } from "./files";
import { deleteBackupRows, getBackup, getSchedule, lastBackupTimes, listBackups, listSchedules, putSchedule, scheduleView } from "./repository";
import { restoreGuide } from "./restore-guide";
import { nextRunAt } from "./retention";
import { applyRetention, takeBackup, type BackupDeps, type BackupEvent } from "./run";
import { BackupScheduler } from "./scheduler";

declare module "@/lib/server/platform/events" {
  interface ServerEvents {
    /** A backup started, finished (succeeded or failed) or was removed. */
    "etcd-backup": BackupEvent;
  }
}

/** How often the scheduler looks at the schedules (the finest interval is 5 minutes). */
const SCHEDULER_TICK_MS = 60_000;

export interface BackupServiceDeps extends BackupDeps {
  talosRoles(cluster: string): Promise<readonly string[]>;
  /** The cluster's control plane addresses (for the restore guide's commands). */
  controlPlaneAddresses(cluster: string): Promise<string[]>;
  /** The clusters Minos manages (each gets a schedule row in the list, off until set). */
  clusterNames(): Promise<string[]>;
}

export function defaultBackupDeps(): BackupServiceDeps {
  const e = env();
  const etcd = defaultEtcdDeps();
  return {
    db: getDb(),
    dir: backupDir(e),
    host: backupHost(e),
    etcd: async (cluster) => ({ client: await etcd.client(cluster), cluster, controlPlanes: await etcd.controlPlanes(cluster) }),
    publish: (ev) => publish("etcd-backup", ev),
    now: () => new Date(),
    talosRoles: etcd.talosRoles,
    controlPlaneAddresses: async (cluster) => (await etcd.controlPlanes(cluster)).map((c) => c.address),
    clusterNames: async () => (await listClusters()).clusters.map((c) => c.name),
  };
}

const g = processState<{ __minosBackupScheduler?: BackupScheduler }>();

/** Starts the process's backup scheduler (runtime.ts); returns its stop. */
export function startBackupScheduler(): () => Promise<void> {
  // Backup changes on one replica reach the SSE clients of the others (rows are small).
  relayTopic("etcd-backup");
  g.__minosBackupScheduler ??= new BackupScheduler(defaultBackupDeps(), { owner: replicaId(), tickMs: SCHEDULER_TICK_MS });
  g.__minosBackupScheduler.start();
  return async () => {
    const s = g.__minosBackupScheduler;
    g.__minosBackupScheduler = undefined;
    await s?.stop();
  };
}

async function backupOrThrow(deps: BackupServiceDeps, id: string): Promise<Backup> {
  const b = await getBackup(deps.db, id);
  if (!b) throw new AppError("not_found", `No backup "${id}"`);
  return b;
}

/** GET /api/backups */
export async function listBackupsFor(cluster: string | undefined, deps = defaultBackupDeps()): Promise<{ backups: Backup[] }> {
  return { backups: await listBackups(deps.db, cluster) };
}

/** GET /api/backups/:id: the row and its restore guide. */
export async function getBackupDetail(id: string, deps = defaultBackupDeps()): Promise<BackupDetail> {
  const backup = await backupOrThrow(deps, id);
  const cps = await deps.controlPlaneAddresses(backup.cluster).catch(() => []);
  return { backup, restoreGuide: restoreGuide(backup, cps) };
}

/** POST /api/backups: a backup now; 201 with the row, which may be failed (the reason in it). */
export async function createBackup(actor: Actor, input: { cluster: string; member?: string }, deps = defaultBackupDeps()): Promise<Response> {
  assertActionAvailable(actor, "etcdSnapshot", input.cluster, await deps.talosRoles(input.cluster));
  const b = await takeBackup(deps, { cluster: input.cluster, actor: actor.label, origin: "manual", member: input.member });
  return Response.json(b, { status: 201 });
}

/**
 * GET /api/backups/:id/download: the file, from this host. On a replica that does not hold it,
 * a 409 naming the host that does (each replica writes to its own MINOS_BACKUP_DIR unless they
 * share one).
 */
export async function downloadBackup(actor: Actor, id: string, deps = defaultBackupDeps()): Promise<Response> {
  const b = await backupOrThrow(deps, id);
  if (b.state !== "succeeded" || !b.fileName) throw new AppError("conflict", `Backup ${id} has no file: it ${b.state === "failed" ? `failed (${b.error ?? "no reason recorded"})` : "is still being written"}`);
  const size = await backupFileSize(deps.dir, b.fileName);
  if (size === null) {
    const where = b.host === deps.host ? `it is missing from ${deps.dir} on this host` : `it is on Minos host "${b.host}", and this is "${deps.host}": download it through that replica, or give the replicas one shared MINOS_BACKUP_DIR`;
    throw new AppError(b.host === deps.host ? "not_found" : "conflict", `The file of backup ${id} is not here: ${where}`, { details: { host: b.host, thisHost: deps.host } });
  }
  await recordAudit(deps.db, { actor: actor.label, action: "backup.download", target: b.cluster, result: "ok", details: { id, sizeBytes: size } });
  return new Response(backupFileStream(deps.dir, b.fileName), {
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(size),
      "content-disposition": `attachment; filename="${b.fileName}"`,
      ...(b.sha256 ? { "x-content-sha256": b.sha256 } : {}),
    },
  });
}

/** DELETE /api/backups/:id: file (when on this host) and row. */
export async function deleteBackup(actor: Actor, id: string, deps = defaultBackupDeps()): Promise<{ id: string; fileRemoved: boolean }> {
  const b = await backupOrThrow(deps, id);
  if (b.state === "running") throw new AppError("conflict", `Backup ${id} is still being written`);
  if (b.fileName && b.host !== deps.host) {
    throw new AppError("conflict", `The file of backup ${id} is on Minos host "${b.host}" (this is "${deps.host}"): delete it through that replica so the file goes with the row`, { details: { host: b.host } });
  }
  const fileRemoved = b.fileName ? await removeBackupFile(deps.dir, b.fileName) : false;
  await deleteBackupRows(deps.db, [id]);
  await recordAudit(deps.db, { actor: actor.label, action: "backup.delete", target: b.cluster, result: "ok", details: { id, fileRemoved } });
  deps.publish({ type: "removed", id, cluster: b.cluster });
  return { id, fileRemoved };
}

/** GET /api/backups/schedules: every known cluster's schedule (unset ones off, with defaults). */
export async function listBackupSchedules(deps = defaultBackupDeps()): Promise<{ schedules: BackupSchedule[] }> {
  const [rows, last, clusters] = await Promise.all([listSchedules(deps.db), lastBackupTimes(deps.db), deps.clusterNames().catch(() => [])]);
  const names = [...new Set([...clusters, ...rows.map((r) => r.cluster)])].sort();
  const now = deps.now();
  return {
    schedules: names.map((c) => {
      const row = rows.find((r) => r.cluster === c) ?? null;
      const lastAt = last.get(c) ?? null;
      return scheduleView(c, row, lastAt, row?.enabled ? nextRunAt(lastAt, row.intervalMinutes, now).toISOString() : null);
    }),
  };
}

/** PUT /api/backups/schedules/:cluster (admin): applies the new retention at once. */
export async function putBackupSchedule(actor: Actor, cluster: string, body: PutBackupScheduleBody, deps = defaultBackupDeps()): Promise<BackupSchedule> {
  await getClusterContextOrThrow(cluster).catch(async (e: unknown) => {
    // A schedule for a cluster Minos no longer knows may still be switched off.
    if (body.enabled || !(await getSchedule(deps.db, cluster))) throw e;
  });
  if (body.enabled) assertActionAvailable(actor, "manageBackupSchedules", cluster, await deps.talosRoles(cluster));
  const row = await putSchedule(deps.db, cluster, body, actor.label, deps.now());
  await recordAudit(deps.db, { actor: actor.label, action: "backup.schedule", target: cluster, result: "ok", details: { enabled: row.enabled, intervalMinutes: row.intervalMinutes, retainCount: row.retainCount, maxAgeDays: row.maxAgeDays } });
  await applyRetention(deps, cluster);
  const lastAt = (await lastBackupTimes(deps.db)).get(cluster) ?? null;
  return scheduleView(cluster, row, lastAt, row.enabled ? nextRunAt(lastAt, row.intervalMinutes, deps.now()).toISOString() : null);
}
