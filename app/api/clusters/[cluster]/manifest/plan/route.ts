import { clusterParamsSchema, planBodySchema } from "@/lib/schemas/manifests";
import { requireConfigAction } from "@/lib/server/fleet/talos-access";
import { route } from "@/lib/server/http/route";
import { defaultPlanDeps, planManifest } from "@/lib/server/manifests/plan";

// POST /api/clusters/:cluster/manifest/plan – render every node, validate, dry-run it on the node; save the plan (nothing applied)
export const POST = route({ role: "admin", rateLimit: "manage", params: clusterParamsSchema, body: planBodySchema, maxBodyBytes: 5 * 1024 * 1024 }, async ({ params, body, actor }) => {
  const deps = defaultPlanDeps();
  await requireConfigAction(deps.configs, actor, "startRollout", { cluster: params.cluster });
  return planManifest(deps, params.cluster, body, actor.label);
});
