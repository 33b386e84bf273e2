import { adoptBodySchema, clusterParamsSchema } from "@/lib/schemas/manifests";
import { nodeConfigQuerySchema } from "@/lib/schemas/node-config";
import { mayRevealSecrets } from "@/lib/server/auth/guard";
import { route } from "@/lib/server/http/route";
import { adoptCluster } from "@/lib/server/manifests/adopt";
import { defaultManifestDeps } from "@/lib/server/manifests/deps";

// POST /api/clusters/:cluster/manifest/adopt – a manifest from the running nodes, saved only if it reproduces every node
// (422 with details.report otherwise; 409 when one exists and replace is not set); redacted unless ?reveal=1
export const POST = route({ role: "admin", rateLimit: "manage", params: clusterParamsSchema, query: nodeConfigQuerySchema, body: adoptBodySchema }, ({ params, query, body, actor }) =>
  adoptCluster(defaultManifestDeps(), params.cluster, { replace: body.replace, reveal: mayRevealSecrets(actor, query.reveal) }, actor.label),
);
