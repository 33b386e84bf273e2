import { clusterParamsSchema } from "@/lib/schemas/manifests";
import { route } from "@/lib/server/http/route";
import { defaultManifestDeps } from "@/lib/server/manifests/deps";
import { clusterDrift } from "@/lib/server/manifests/drift";

// GET /api/clusters/:cluster/drift – every node of the cluster against the latest manifest's render, checked now
export const GET = route({ role: "viewer", rateLimit: "manifestCheck", params: clusterParamsSchema }, ({ params }) => clusterDrift(defaultManifestDeps(), params.cluster));
