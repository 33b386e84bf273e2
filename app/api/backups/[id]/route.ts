import { backupParamsSchema } from "@/lib/schemas/backups";
import { deleteBackup, getBackupDetail } from "@/lib/server/backups/service";
import { route } from "@/lib/server/http/route";

// GET /api/backups/:id – one backup and its restore guide (the talosctl bootstrap --recover-from steps for its file)
export const GET = route({ role: "viewer", params: backupParamsSchema }, ({ params }) => getBackupDetail(params.id));

// DELETE /api/backups/:id – remove the backup's file and row (through the replica that holds the file)
export const DELETE = route({ role: "operator", params: backupParamsSchema }, ({ params, actor }) => deleteBackup(actor, params.id));
