import { getSimInfoOrThrow } from "@/lib/server/fleet/sim";
import { route } from "@/lib/server/http/route";

// GET /api/sim – the simulator's control URL for fault injection in e2e (only with MINOS_SIM=1)
export const GET = route({ role: "admin" }, () => getSimInfoOrThrow());
