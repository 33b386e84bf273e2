import "server-only";

import { sql } from "kysely";

import type { HealthResponse } from "@/lib/schemas/health";
import { dialectOf, getDb } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import { listLeases } from "@/lib/server/platform/leases";
import { replicaId } from "@/lib/server/platform/replica";
import { MINOS_VERSION } from "@/lib/version";

/** How long the store may take to answer before this replica reports itself unhealthy. */
const STORE_DEADLINE_MS = 2_000;

/**
 * GET /api/health: the replica answers, and so does its store (a load balancer stops sending
 * requests to a replica that lost its database). @throws AppError unavailable otherwise.
 */
export async function health(): Promise<HealthResponse> {
  const db = getDb();
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError("store_unavailable", `The store did not answer within ${STORE_DEADLINE_MS / 1000} s`)), STORE_DEADLINE_MS);
  });
  try {
    const leases = await Promise.race([
      (async () => {
        await sql`SELECT 1`.execute(db);
        return listLeases(db, Date.now(), { owner: replicaId() });
      })(),
      deadline,
    ]);
    const counts: Record<string, number> = {};
    for (const l of leases) {
      const kind = l.name.slice(0, Math.max(0, l.name.indexOf(":"))) || l.name;
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    return {
      ok: true,
      version: MINOS_VERSION,
      store: { dialect: dialectOf(db), latencyMs: Math.round((performance.now() - started) * 10) / 10 },
      replica: { id: replicaId(), leases: counts },
    };
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError("store_unavailable", "The store is unreachable");
  } finally {
    clearTimeout(timer);
  }
}
