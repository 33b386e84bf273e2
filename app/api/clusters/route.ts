import { listClusters } from "@/lib/server/fleet/clusters";
import { route } from "@/lib/server/http/route";

// GET /api/clusters – the clusters from the talosconfig, with their credentials' roles and expiry
export const GET = route({ role: "viewer" }, () => listClusters());
