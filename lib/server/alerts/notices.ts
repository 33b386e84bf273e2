import "server-only";

import type { AlertRuleId, AlertSeverity } from "@/lib/schemas/alerts";
import type { Db } from "@/lib/server/platform/db/db";

/**
 * What the alert engine hands to delivery when someone must be told: an alert fired (or fired
 * again: re-notification, a raised severity) or resolved. The engine calls a {@link NoticeSink}
 * inside the same transaction that records the alert's transition, so a notice is persisted
 * exactly when the transition is, and a restart neither loses nor repeats it.
 */
export interface AlertNotice {
  alertId: string;
  status: "firing" | "resolved";
  /** Why this notice: the first firing, a re-notification of an unacknowledged critical alert, a raised severity, or the resolution. */
  reason: "fired" | "renotify" | "escalated" | "resolved";
  rule: AlertRuleId;
  severity: AlertSeverity;
  cluster: string;
  node: string | null;
  hostname: string | null;
  summary: string;
  startsAt: string;
  endsAt: string | null;
  /** The alert's page in Minos (a path; delivery prefixes MINOS_ORIGIN). */
  path: string;
}

/** Writes the notice to every channel that wants it (its severities and clusters); returns how many. */
export type NoticeSink = (trx: Db, notice: AlertNotice, now: Date) => Promise<number>;
