import { applyPlanBodySchema, clusterParamsSchema } from "@/lib/schemas/manifests";
import { requireConfigAction } from "@/lib/server/fleet/talos-access";
import { route } from "@/lib/server/http/route";
import { applyManifestPlan } from "@/lib/server/manifests/apply";
import { defaultPlanDeps } from "@/lib/server/manifests/plan";

// POST /api/clusters/:cluster/manifest/apply – apply a plan: save its manifest as a revision and roll each changing node's config out (409 when stale)
export const POST = route({ role: "admin", rateLimit: "manage", params: clusterParamsSchema, body: applyPlanBodySchema }, async ({ params, body, actor }) => {
  const deps = defaultPlanDeps();
  await requireConfigAction(deps.configs, actor, "startRollout", { cluster: params.cluster });
  return applyManifestPlan(deps, params.cluster, body, actor.label);
});
