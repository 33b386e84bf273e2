import { upgradeRequestSchema } from "@/lib/schemas/upgrades";
import { route } from "@/lib/server/http/route";
import { withUpgradeRunner } from "@/lib/server/upgrades";

// POST /api/upgrades/plan – the dry run: order, batches and checks; nothing starts
export const POST = route({ role: "viewer", body: upgradeRequestSchema }, ({ body }) => withUpgradeRunner((r) => r.preview(body)));
