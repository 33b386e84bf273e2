import { caRotationIdParamsSchema } from "@/lib/schemas/ca-rotation";
import { withCaRotationRunner } from "@/lib/server/ca-rotation";
import { route } from "@/lib/server/http/route";

// POST /api/ca-rotations/:id/talosconfig – a talosconfig of the new CA with a fresh os:admin certificate (admin; audited); 409 unless the Talos CA rotation succeeded
export const POST = route({ role: "admin", rateLimit: "manage", params: caRotationIdParamsSchema }, ({ params, actor }) =>
  withCaRotationRunner(async (r) => {
    const { filename, talosconfig } = await r.newTalosconfig(params.id, actor.label);
    return new Response(talosconfig, {
      headers: { "content-type": "application/yaml; charset=utf-8", "content-disposition": `attachment; filename="${filename.replace(/[^\w.-]/g, "_")}"`, "cache-control": "no-store" },
    });
  }),
);
