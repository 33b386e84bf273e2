import { clusterParamsSchema } from "@/lib/schemas/manifests";
import { route } from "@/lib/server/http/route";
import { defaultManifestDeps } from "@/lib/server/manifests/deps";
import { exportClusterSecrets } from "@/lib/server/manifests/service";

// GET /api/clusters/:cluster/secrets – the cluster's secrets bundle as talosctl's secrets.yaml (admin, audited; 404 before adoption)
export const GET = route({ role: "admin", params: clusterParamsSchema }, ({ params, actor }) => exportClusterSecrets(defaultManifestDeps(), params.cluster, actor.label));
