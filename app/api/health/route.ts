import { route } from "@/lib/server/http/route";
import { health } from "@/lib/server/platform/health";

// GET /api/health – liveness, version, the store and this replica's leases (503 when the store is down)
export const GET = route({ role: "public" }, () => health());
