import { z } from "zod";

import type { MinosAction } from "@/lib/auth/roles";
import { BULK_ACTION_ROLE, createBulkBodySchema, type BulkAction } from "@/lib/schemas/bulk";
import { requireRole } from "@/lib/server/auth/guard";
import { defaultBulkDeps } from "@/lib/server/bulk/deps";
import { createBulk, listBulkRuns } from "@/lib/server/bulk/service";
import { requireTalosAction } from "@/lib/server/fleet/talos-access";
import { route } from "@/lib/server/http/route";

/** The Talos-side action each bulk action needs Minos's talosconfig to allow (cordon/uncordon are Kubernetes calls; Talos answers a service restart's refusal itself). */
const TALOS_ACTION: Partial<Record<BulkAction, MinosAction>> = { reboot: "reboot", upgrade: "startUpgrade", "apply-patch": "startRollout" };

// GET /api/bulk – bulk runs, newest first (?cluster=, ?limit=)
export const GET = route({ role: "viewer", query: z.object({ cluster: z.string().min(1).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }) }, ({ query }) =>
  listBulkRuns(defaultBulkDeps(), query),
);

// POST /api/bulk – one action on a selection of a cluster's nodes (dryRun: the plan only); operator, admin for upgrade and apply-patch
export const POST = route({ role: "operator", rateLimit: "manage", body: createBulkBodySchema, maxBodyBytes: 1024 * 1024 }, async ({ body, actor }) => {
  requireRole(actor, BULK_ACTION_ROLE[body.action]);
  const talos = TALOS_ACTION[body.action];
  const out = await createBulk(defaultBulkDeps(), body, actor, { check: talos ? (cluster) => requireTalosAction(actor, talos, cluster) : undefined });
  return Response.json(out, { status: out.kind === "plan" ? 200 : 201 });
});
