import { backupParamsSchema } from "@/lib/schemas/backups";
import { downloadBackup } from "@/lib/server/backups/service";
import { route } from "@/lib/server/http/route";

// GET /api/backups/:id/download – the snapshot file (it holds every Kubernetes Secret: operators only); 409 on a replica that does not hold it
export const GET = route({ role: "operator", params: backupParamsSchema }, ({ params, actor }) => downloadBackup(actor, params.id));
