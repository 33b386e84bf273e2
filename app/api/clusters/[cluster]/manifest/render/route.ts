import { clusterParamsSchema, renderBodySchema } from "@/lib/schemas/manifests";
import { mayRevealSecrets } from "@/lib/server/auth/guard";
import { route } from "@/lib/server/http/route";
import { defaultManifestDeps } from "@/lib/server/manifests/deps";
import { renderManifestNode } from "@/lib/server/manifests/service";

// POST /api/clusters/:cluster/manifest/render – one node's config from a manifest and its redacted diff to the running one
export const POST = route({ role: "viewer", rateLimit: "manifestCheck", params: clusterParamsSchema, body: renderBodySchema, maxBodyBytes: 5 * 1024 * 1024 }, ({ params, body, actor }) =>
  renderManifestNode(defaultManifestDeps(), params.cluster, body, { label: actor.label, reveal: mayRevealSecrets(actor, body.reveal ?? false) }),
);
