import { backupListQuerySchema, createBackupBodySchema } from "@/lib/schemas/backups";
import { createBackup, listBackupsFor } from "@/lib/server/backups/service";
import { route } from "@/lib/server/http/route";

// GET /api/backups?cluster= – etcd backups, newest first (running, succeeded with size, sha256, revision and member, or failed with the reason)
export const GET = route({ role: "viewer", query: backupListQuerySchema }, ({ query }) => listBackupsFor(query.cluster));

// POST /api/backups {cluster, member?} – take a backup now into MINOS_BACKUP_DIR; 201 with the backup, which may have failed (the reason in it);
// 409 while another backup of the cluster runs. Rate-limited: each one writes a whole snapshot to this host's disk.
export const POST = route({ role: "operator", rateLimit: "manage", body: createBackupBodySchema }, ({ body, actor }) => createBackup(actor, body));
