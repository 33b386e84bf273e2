import { kubernetesUpgradeListQuerySchema, kubernetesUpgradeRequestSchema } from "@/lib/schemas/kubernetes-upgrades";
import { requireTalosAction } from "@/lib/server/fleet/talos-access";
import { route } from "@/lib/server/http/route";
import { withKubernetesUpgradeRunner } from "@/lib/server/kubernetes-upgrades";

// GET /api/kubernetes-upgrades – Kubernetes upgrades, newest first (?cluster=, ?limit=)
export const GET = route({ role: "viewer", query: kubernetesUpgradeListQuerySchema }, ({ query }) => withKubernetesUpgradeRunner(async (r) => ({ plans: await r.list(query) })));

// POST /api/kubernetes-upgrades – check, plan and start a Kubernetes upgrade (upgrade-k8s's flow); 409 with the checks when refused
export const POST = route({ role: "admin", rateLimit: "manage", body: kubernetesUpgradeRequestSchema }, async ({ body, actor }) => {
  // The upgrade patches machine configs: Minos's talosconfig must be os:admin.
  await requireTalosAction(actor, "applyConfig", body.cluster);
  return withKubernetesUpgradeRunner(async (r) => Response.json(await r.create(body, actor.label), { status: 201 }));
});
