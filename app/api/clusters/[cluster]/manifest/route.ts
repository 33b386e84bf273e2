import { clusterParamsSchema, putManifestBodySchema } from "@/lib/schemas/manifests";
import { nodeConfigQuerySchema } from "@/lib/schemas/node-config";
import { mayRevealSecrets } from "@/lib/server/auth/guard";
import { route } from "@/lib/server/http/route";
import { defaultManifestDeps } from "@/lib/server/manifests/deps";
import { getManifest, putManifest } from "@/lib/server/manifests/service";

// GET /api/clusters/:cluster/manifest – the latest revision, secrets redacted unless an admin asks with ?reveal=1 (404 before adoption)
export const GET = route({ role: "viewer", params: clusterParamsSchema, query: nodeConfigQuerySchema }, ({ params, query, actor }) =>
  getManifest(defaultManifestDeps(), params.cluster, { reveal: mayRevealSecrets(actor, query.reveal) }),
);

// PUT /api/clusters/:cluster/manifest – save an edit as the next revision (409 unless baseRevision is the latest, 422 with issues)
export const PUT = route({ role: "admin", rateLimit: "manage", params: clusterParamsSchema, body: putManifestBodySchema, maxBodyBytes: 5 * 1024 * 1024 }, ({ params, body, actor }) =>
  putManifest(defaultManifestDeps(), params.cluster, body, actor.label),
);
