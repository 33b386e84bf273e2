import { MAX_TALOSCONFIG_BYTES, uploadTalosconfigBodySchema } from "@/lib/schemas/fleet";
import { addUploadedTalosconfig } from "@/lib/server/fleet/cluster-admin";
import { route } from "@/lib/server/http/route";

// POST /api/clusters/talosconfig – upload a talosconfig (kept encrypted) and manage its contexts as clusters
export const POST = route({ role: "admin", rateLimit: "manage", body: uploadTalosconfigBodySchema, maxBodyBytes: 2 * MAX_TALOSCONFIG_BYTES }, ({ actor, body }) =>
  addUploadedTalosconfig(actor, body),
);
