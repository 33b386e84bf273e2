import "server-only";

import type { SimInfo } from "@/lib/schemas/fleet";
import { AppError } from "@/lib/server/platform/errors";
import { env } from "@/lib/server/platform/env";

/**
 * GET /api/sim: where the built-in simulator's control API listens, so e2e tests can inject
 * faults (POST {controlUrl}/faults). Only with MINOS_SIM=1; a real fleet has no such thing.
 * @throws AppError not_found when Minos is not running the simulated fleet.
 */
export function getSimInfoOrThrow(): SimInfo {
  if (!env().MINOS_SIM) throw new AppError("not_found", "No API route GET /api/sim (Minos is not running the simulated fleet)");
  // scripts/start.ts sets it when it launched the simulator itself.
  return { controlUrl: process.env.MINOS_SIM_CONTROL_URL || null };
}
