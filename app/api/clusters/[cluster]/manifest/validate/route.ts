import { clusterParamsSchema, validateManifestBodySchema } from "@/lib/schemas/manifests";
import { route } from "@/lib/server/http/route";
import { defaultManifestDeps } from "@/lib/server/manifests/deps";
import { validateManifest } from "@/lib/server/manifests/service";

// POST /api/clusters/:cluster/manifest/validate – the manifest and every node's render checked, problems on manifest lines
export const POST = route({ role: "viewer", rateLimit: "manifestCheck", params: clusterParamsSchema, body: validateManifestBodySchema, maxBodyBytes: 5 * 1024 * 1024 }, ({ params, body }) =>
  validateManifest(defaultManifestDeps(), params.cluster, body.yaml),
);
