import { clusterParamsSchema } from "@/lib/schemas/manifests";
import { route } from "@/lib/server/http/route";
import { defaultManifestDeps } from "@/lib/server/manifests/deps";
import { listManifestRevisions } from "@/lib/server/manifests/service";

// GET /api/clusters/:cluster/manifest/revisions – the manifest's history, newest first
export const GET = route({ role: "viewer", params: clusterParamsSchema }, ({ params }) => listManifestRevisions(defaultManifestDeps(), params.cluster));
