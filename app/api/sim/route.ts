import { getSimInfoOrThrow } from "@/lib/server/fleet/sim";
import { route } from "@/lib/server/http/route";

// GET /api/sim – e2e test hook, not product API: the simulator's control URL for fault injection; 404 unless Minos runs the simulated fleet (MINOS_SIM=1)
export const GET = route({ role: "admin" }, () => getSimInfoOrThrow());
