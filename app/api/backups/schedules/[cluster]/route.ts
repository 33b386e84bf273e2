import { backupScheduleParamsSchema, putBackupScheduleBodySchema } from "@/lib/schemas/backups";
import { putBackupSchedule } from "@/lib/server/backups/service";
import { route } from "@/lib/server/http/route";

// PUT /api/backups/schedules/:cluster {enabled, intervalMinutes, retainCount, maxAgeDays?} – set a cluster's schedule and retention (applied at once)
export const PUT = route({ role: "admin", params: backupScheduleParamsSchema, body: putBackupScheduleBodySchema }, ({ params, body, actor }) => putBackupSchedule(actor, params.cluster, body));
