import { z } from "zod";

export const healthResponseSchema = z.object({
  ok: z.literal(true),
  version: z.string(),
  /** The store this replica uses, and how long a trivial query took. */
  store: z.object({ dialect: z.enum(["sqlite", "postgres"]), latencyMs: z.number() }),
  /**
   * This replica: its lease owner name and how many leases it holds by kind ("poller" per
   * cluster, "upgrade" and "rollout" per run). Counts only: cluster names are not public.
   */
  replica: z.object({ id: z.string(), leases: z.record(z.string(), z.number().int()) }),
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;
