import { kubernetesUpgradeIdParamsSchema } from "@/lib/schemas/kubernetes-upgrades";
import { route } from "@/lib/server/http/route";
import { withKubernetesUpgradeRunner } from "@/lib/server/kubernetes-upgrades";

// GET /api/kubernetes-upgrades/:id – one Kubernetes upgrade with its steps, messages and progress
export const GET = route({ role: "viewer", params: kubernetesUpgradeIdParamsSchema }, ({ params }) => withKubernetesUpgradeRunner((r) => r.getOrThrow(params.id)));
