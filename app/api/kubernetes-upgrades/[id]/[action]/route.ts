import { kubernetesUpgradeActionParamsSchema } from "@/lib/schemas/kubernetes-upgrades";
import { requireRole } from "@/lib/server/auth/guard";
import { route } from "@/lib/server/http/route";
import { withKubernetesUpgradeRunner } from "@/lib/server/kubernetes-upgrades";

// POST /api/kubernetes-upgrades/:id/(pause|resume|cancel) – control a Kubernetes upgrade (cancel needs an admin); 409 when the state forbids it
export const POST = route({ role: "operator", params: kubernetesUpgradeActionParamsSchema }, ({ params, actor }) => {
  if (params.action === "cancel") requireRole(actor, "admin");
  return withKubernetesUpgradeRunner((r) => r.control(params.id, params.action, actor.label));
});
