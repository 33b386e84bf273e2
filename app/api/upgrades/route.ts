import { z } from "zod";

import { upgradeListQuerySchema, upgradeRequestSchema } from "@/lib/schemas/upgrades";
import { requireTalosAction } from "@/lib/server/fleet/talos-access";
import { route } from "@/lib/server/http/route";
import { withUpgradeRunner } from "@/lib/server/upgrades";

// GET /api/upgrades – upgrade plans, newest first (?cluster=, ?limit=)
export const GET = route({ role: "viewer", query: upgradeListQuerySchema }, ({ query }) => withUpgradeRunner(async (r) => ({ plans: await r.list(query) })));

// POST /api/upgrades – plan and start a rolling upgrade (?dryRun=1 returns the plan and starts nothing)
export const POST = route(
  { role: "admin", rateLimit: "manage", body: upgradeRequestSchema, query: z.object({ dryRun: z.enum(["0", "1", "true", "false"]).optional() }) },
  ({ body, query, actor }) =>
    withUpgradeRunner(async (r) => {
      if (query.dryRun === "1" || query.dryRun === "true") return r.preview(body);
      await requireTalosAction(actor, "startUpgrade", body.cluster);
      return Response.json(await r.create(body, actor.label), { status: 201 });
    }),
);
