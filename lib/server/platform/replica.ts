import "server-only";

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

import { processState } from "@/lib/server/platform/process-state";

const g = processState<{ __minosReplicaId?: string }>();

/**
 * This process's name among the replicas sharing a store: the lease owner it writes. New at each
 * start (a restarted replica is a new owner, so its predecessor's fencing numbers stay stale);
 * MINOS_REPLICA_ID prefixes it for readable logs (a pod name).
 */
export function replicaId(): string {
  g.__minosReplicaId ??= `${process.env.MINOS_REPLICA_ID || hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  return g.__minosReplicaId;
}
