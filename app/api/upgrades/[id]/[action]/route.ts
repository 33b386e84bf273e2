import { upgradeActionParamsSchema } from "@/lib/schemas/upgrades";
import { route } from "@/lib/server/route";
import { withUpgradeRunner } from "@/lib/server/upgrades";

// POST /api/upgrades/:id/(pause|resume|cancel) – control a running plan; 409 when the state forbids it
export const POST = route({ params: upgradeActionParamsSchema }, ({ params }) => withUpgradeRunner((r) => r.control(params.id, params.action)));
