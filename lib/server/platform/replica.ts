import "server-only";

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

import type { Db } from "@/lib/server/platform/db/db";
import { env } from "@/lib/server/platform/env";
import { processState } from "@/lib/server/platform/process-state";

const g = processState<{ __minosReplicaId?: string }>();

/**
 * This process's name among the replicas sharing a store: the lease owner it writes. New at each
 * start (a restarted replica is a new owner, so its predecessor's fencing numbers stay stale);
 * MINOS_REPLICA_ID prefixes it for readable logs (a pod name).
 */
export function replicaId(): string {
  g.__minosReplicaId ??= `${env().MINOS_REPLICA_ID ?? hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  return g.__minosReplicaId;
}

/** A replica not seen for this long counts as gone when work is shared out (as long as a lease lives). */
export const REPLICA_STALE_MS = 6_000;

/** Records that `id` is alive; drops replicas gone for a minute, so the table stays small. */
export async function heartbeat(db: Db, id: string, nowMs: number, address: string | null = null): Promise<void> {
  await db
    .insertInto("replicas")
    .values({ id, started_at: new Date(nowMs).toISOString(), seen_at: nowMs, address })
    .onConflict((oc) => oc.column("id").doUpdateSet({ seen_at: nowMs }))
    .execute();
  await db.deleteFrom("replicas").where("seen_at", "<", nowMs - 60_000).execute();
}

/** Replicas seen within REPLICA_STALE_MS, oldest first. */
export async function liveReplicas(db: Db, nowMs: number): Promise<{ id: string; startedAt: string; seenAt: number }[]> {
  const rows = await db.selectFrom("replicas").selectAll().where("seen_at", ">=", nowMs - REPLICA_STALE_MS).orderBy("started_at").orderBy("id").execute();
  return rows.map((r) => ({ id: r.id, startedAt: r.started_at, seenAt: r.seen_at }));
}

/** Gone for good (a clean stop): the others share its work out at once instead of waiting. */
export async function retire(db: Db, id: string): Promise<void> {
  await db.deleteFrom("replicas").where("id", "=", id).execute();
}
