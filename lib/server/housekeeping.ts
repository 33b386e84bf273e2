import "server-only";

import { pruneAuthNoise } from "@/lib/server/platform/audit";
import { pruneChallenges } from "@/lib/server/auth/challenges";
import { pruneBuckets } from "@/lib/server/auth/rate-limit";
import { pruneSessions } from "@/lib/server/auth/sessions";
import { prunePlans } from "@/lib/server/manifests/plans-repo";
import { pruneLeases } from "@/lib/server/platform/leases";
import { getDb, type Db } from "@/lib/server/platform/db/db";
import { env } from "@/lib/server/platform/env";
import { processState } from "@/lib/server/platform/process-state";

/** Hourly is plenty for day-granular retention, and cheap: every delete uses an index on time. */
const EVERY_MS = 60 * 60_000;

const g = processState<{ __minosHousekeeping?: ReturnType<typeof setInterval> }>();

/**
 * One sweep: refused sign-ins and API tokens past MINOS_AUDIT_RETENTION_DAYS leave the audit log
 * (records of changes never do), sessions and sign-in ceremonies that can never be used again
 * leave their tables, and so do rate-limit buckets that have refilled (and any beyond the cap),
 * manifest plans that expired unapplied (applied ones drop their sealed renders).
 * One-time links stay: expired ones are the Access page's invitation history. Every replica may
 * sweep: each delete is idempotent.
 */
export async function sweep(
  db: Db,
  retentionDays: number,
  now: Date,
): Promise<{ auditRows: number; sessions: number; challenges: number; rateBuckets: number; leases: number; plans: number }> {
  return {
    auditRows: await pruneAuthNoise(db, retentionDays, now),
    sessions: await pruneSessions(db, now),
    challenges: await pruneChallenges(db, now),
    rateBuckets: await pruneBuckets(db, now),
    leases: await pruneLeases(db, now.getTime()),
    plans: await prunePlans(db, now),
  };
}

/** Starts the hourly sweep (once per process), running the first one now. */
export function startHousekeeping(): void {
  if (g.__minosHousekeeping) return;
  const run = () => {
    sweep(getDb(), env().MINOS_AUDIT_RETENTION_DAYS, new Date()).catch((e: unknown) => console.error("[minos] housekeeping failed", e));
  };
  run();
  g.__minosHousekeeping = setInterval(run, EVERY_MS);
  g.__minosHousekeeping.unref();
}

/** Stops the hourly sweep; a later start begins it again. */
export function stopHousekeeping(): void {
  clearInterval(g.__minosHousekeeping);
  g.__minosHousekeeping = undefined;
}
