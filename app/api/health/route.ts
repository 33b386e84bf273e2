import { route } from "@/lib/server/http/route";
import { MINOS_VERSION } from "@/lib/version";
import type { HealthResponse } from "@/lib/schemas/health";

// GET /api/health – liveness and the running Minos version
export const GET = route({ role: "public" }, (): HealthResponse => ({ ok: true, version: MINOS_VERSION }));
