import { z } from "zod";

import { etcdMemberIdSchema } from "./etcd";

/** etcd backups Minos keeps on its own host (`MINOS_BACKUP_DIR`) and each cluster's schedule. */

/** Minos writes `bk_<time><random>`; any short id-like string is looked up (an unknown one is a 404). */
export const backupIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "not a backup id");
export const backupParamsSchema = z.object({ id: backupIdSchema });

export const backupStateSchema = z.enum(["running", "succeeded", "failed"]);
export const backupOriginSchema = z.enum(["manual", "schedule"]);

export const backupSchema = z.object({
  id: backupIdSchema,
  cluster: z.string(),
  state: backupStateSchema,
  origin: backupOriginSchema,
  actor: z.string(),
  /** The Minos host (replica) whose `MINOS_BACKUP_DIR` holds the file. */
  host: z.string(),
  fileName: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  sha256: z.string().nullable(),
  /** The etcd revision in the snapshot (read from its bbolt file, as `talosctl etcd snapshot` prints it); null when unreadable. */
  revision: z.number().nullable(),
  /** The member's raft index when the snapshot was asked for (EtcdStatus). */
  raftIndex: z.string().nullable(),
  memberId: z.string().nullable(),
  memberHostname: z.string().nullable(),
  node: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type Backup = z.infer<typeof backupSchema>;

export const backupListSchema = z.object({ backups: z.array(backupSchema) });
export const backupListQuerySchema = z.object({ cluster: z.string().min(1).max(253).optional() });

export const restoreStepSchema = z.object({ title: z.string(), text: z.string(), commands: z.array(z.string()) });
export type RestoreStep = z.infer<typeof restoreStepSchema>;
export const backupDetailSchema = z.object({ backup: backupSchema, restoreGuide: z.array(restoreStepSchema) });
export type BackupDetail = z.infer<typeof backupDetailSchema>;

/** `POST /api/backups`: take one now, kept like a scheduled one (and counted by retention). */
export const createBackupBodySchema = z.object({ cluster: z.string().min(1).max(253), member: etcdMemberIdSchema.optional() }).strict();

export const backupScheduleSchema = z.object({
  cluster: z.string(),
  enabled: z.boolean(),
  intervalMinutes: z.number().int(),
  retainCount: z.number().int(),
  maxAgeDays: z.number().int().nullable(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
  /** The last backup the schedule (or a person) started, and when the schedule runs next. */
  lastBackupAt: z.string().nullable(),
  nextRunAt: z.string().nullable(),
});
export type BackupSchedule = z.infer<typeof backupScheduleSchema>;
export const backupScheduleListSchema = z.object({ schedules: z.array(backupScheduleSchema) });

/** `PUT /api/backups/schedules/:cluster` (admin). Retention by count always; by age when set. */
export const putBackupScheduleBodySchema = z
  .object({
    enabled: z.boolean(),
    intervalMinutes: z.number().int().min(5).max(7 * 24 * 60),
    retainCount: z.number().int().min(1).max(1000),
    maxAgeDays: z.number().int().min(1).max(3650).nullable().optional(),
  })
  .strict();
export type PutBackupScheduleBody = z.infer<typeof putBackupScheduleBodySchema>;
export const backupScheduleParamsSchema = z.object({ cluster: z.string().min(1).max(253) });

/** SSE `event: etcd-backup`: a backup started or ended (the row as it is now), or was removed. */
export const backupEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("backup"), backup: backupSchema }),
  z.object({ type: z.literal("removed"), id: z.string(), cluster: z.string() }),
]);
export type BackupEvent = z.infer<typeof backupEventSchema>;
