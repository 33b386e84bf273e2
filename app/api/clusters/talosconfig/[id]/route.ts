import { z } from "zod";

import { removeUploadedTalosconfig } from "@/lib/server/fleet/cluster-admin";
import { route } from "@/lib/server/http/route";

// DELETE /api/clusters/talosconfig/:id – remove an uploaded talosconfig and stop managing its clusters
export const DELETE = route({ role: "admin", rateLimit: "manage", params: z.object({ id: z.string().min(1) }) }, ({ actor, params }) =>
  removeUploadedTalosconfig(actor, params.id),
);
