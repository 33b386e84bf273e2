import { kubernetesUpgradeRequestSchema } from "@/lib/schemas/kubernetes-upgrades";
import { route } from "@/lib/server/http/route";
import { previewKubernetesUpgrade } from "@/lib/server/kubernetes-upgrades";

// POST /api/kubernetes-upgrades/plan – the preview: checks and steps, nothing starts; 422 for an unsupported jump
export const POST = route({ role: "viewer", body: kubernetesUpgradeRequestSchema }, ({ body }) => previewKubernetesUpgrade(body));
