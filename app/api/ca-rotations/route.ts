import { caRotationListQuerySchema, caRotationRequestSchema } from "@/lib/schemas/ca-rotation";
import { withCaRotationRunner } from "@/lib/server/ca-rotation";
import { requireTalosAction } from "@/lib/server/fleet/talos-access";
import { route } from "@/lib/server/http/route";

// GET /api/ca-rotations – CA rotations, newest first (?cluster=, ?limit=)
export const GET = route({ role: "viewer", query: caRotationListQuerySchema }, ({ query }) => withCaRotationRunner(async (r) => ({ rotations: await r.list(query) })));

// POST /api/ca-rotations – generate new CAs and start a rotation (rotate-ca's flow); 409 with the problems when refused
export const POST = route({ role: "admin", rateLimit: "manage", body: caRotationRequestSchema }, async ({ body, actor }) => {
  // The rotation patches machine configs: Minos's talosconfig must be os:admin.
  await requireTalosAction(actor, "applyConfig", body.cluster);
  return withCaRotationRunner(async (r) => Response.json(await r.create(body, actor.label), { status: 201 }));
});
