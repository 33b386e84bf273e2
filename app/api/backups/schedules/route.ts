import { listBackupSchedules } from "@/lib/server/backups/service";
import { route } from "@/lib/server/http/route";

// GET /api/backups/schedules – each cluster's backup schedule (off by default), its last backup and next run
export const GET = route({ role: "viewer" }, () => listBackupSchedules());
