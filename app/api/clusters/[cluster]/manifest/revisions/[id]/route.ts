import { manifestRevisionParamsSchema, manifestRevisionQuerySchema } from "@/lib/schemas/manifests";
import { nodeConfigQuerySchema } from "@/lib/schemas/node-config";
import { mayRevealSecrets } from "@/lib/server/auth/guard";
import { route } from "@/lib/server/http/route";
import { defaultManifestDeps } from "@/lib/server/manifests/deps";
import { getManifestRevision } from "@/lib/server/manifests/service";

// GET /api/clusters/:cluster/manifest/revisions/:id – revision number :id with its manifest (redacted unless an admin asks
// with ?reveal=1); ?against=N adds the redacted unified diff from revision N to it
export const GET = route({ role: "viewer", params: manifestRevisionParamsSchema, query: manifestRevisionQuerySchema.extend(nodeConfigQuerySchema.shape) }, ({ params, query, actor }) =>
  getManifestRevision(defaultManifestDeps(), params.cluster, params.id, { against: query.against, reveal: mayRevealSecrets(actor, query.reveal) }),
);
