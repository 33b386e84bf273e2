import "server-only";

import { randomUUID } from "node:crypto";

import type { Alert, AlertCounts, AlertEvent } from "@/lib/schemas/alerts";
import type { Db } from "@/lib/server/platform/db/db";
import { acquireLease, fenced, LEASE_TTL_MS, releaseLease, type Lease } from "@/lib/server/platform/leases";

import type { AlertNotice, NoticeSink } from "./notices";
import { evaluate, isHeld, type AlertInputs } from "./evaluate";
import { step, type AlertRecord, type LifecycleStep, type NoticeReason } from "./lifecycle";
import { deleteAlerts, listOpenAlerts, listSilences, pruneResolvedAlerts, saveAlerts, setEvaluatedAt } from "./repository";
import { ruleSettings } from "./rules";

/** The lease that makes one replica the evaluator; the others serve the store's alerts. */
export const EVALUATOR_LEASE = "alerts:evaluator";

/** Resolved alerts are kept this long (the history list), then pruned. */
export const ALERT_RETENTION_MS = 90 * 86_400_000;
/** How often the evaluator prunes them. */
export const PRUNE_EVERY_MS = 3_600_000;

/** The shortest wait between two rounds, whatever is due: a due time that stays past never makes the loop spin. */
export const MIN_ROUND_DELAY_MS = 250;

export interface EngineDeps {
  db: Db;
  /** This replica (the lease owner). */
  owner: string;
  now: () => Date;
  /** The sources' answers this round (sources.ts); a failed source is null in it. */
  gather: () => Promise<AlertInputs>;
  /** Delivery's outbox (delivery/outbox.ts `enqueueNotice`), called in the transaction of the transition. */
  notify: NoticeSink;
  /** A round queued notices (after its transaction committed): delivery may send them now. */
  notified?: () => void;
  /** The SSE `alerts` event, only after a round that changed something. */
  publish: (event: AlertEvent) => void;
  /** The fleet poll interval: a round per poll. */
  intervalMs: () => number;
  newId?: () => string;
}

export interface RoundResult {
  step: LifecycleStep;
  evaluatedAt: Date;
}

/** The notice delivery gets for a transition. */
export function toNotice(a: AlertRecord, reason: NoticeReason): AlertNotice {
  return {
    alertId: a.id,
    status: reason === "resolved" ? "resolved" : "firing",
    reason,
    rule: a.rule,
    severity: a.severity,
    cluster: a.cluster,
    node: a.node,
    hostname: a.hostname,
    summary: a.summary,
    startsAt: a.startsAt ?? a.pendingSince,
    endsAt: a.endsAt,
    path: a.path,
  };
}

/** The badge numbers: firing ones not silenced, by severity; pending; silenced; acknowledged. */
export function countAlerts(open: readonly Pick<AlertRecord, "status" | "severity" | "silencedBy" | "acknowledgedAt">[]): AlertCounts {
  const c: AlertCounts = { firing: 0, critical: 0, warning: 0, info: 0, pending: 0, silenced: 0, acknowledged: 0 };
  for (const a of open) {
    if (a.status === "pending") c.pending++;
    if (a.status !== "firing") continue;
    if (a.silencedBy !== null) {
      c.silenced++;
      continue;
    }
    c.firing++;
    c[a.severity]++;
    if (a.acknowledgedAt !== null) c.acknowledged++;
  }
  return c;
}

/**
 * The evaluator: a round at every fleet poll, on the one replica holding `alerts:evaluator`.
 * A round gathers the sources (outside any transaction: they may be slow), evaluates the rules,
 * then, in one transaction fenced by the lease, reads the open alerts and active silences, steps
 * the lifecycle, writes the alerts and hands the notices to delivery. Everything an evaluator
 * knows is in the store, so a new one (a restart, another replica) carries on without repeating
 * a notice.
 */
export class AlertEngine {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  private lease: Lease | null = null;
  /** When the earliest pending alert will have held its rule's duration (ms), if any is pending. */
  private nextDueAt: number | null = null;
  /** When this evaluator last pruned resolved alerts (ms); a new one prunes on its first round. */
  private prunedAt: number | null = null;

  constructor(private readonly deps: EngineDeps) {}

  start(): void {
    if (this.timer || this.stopped) return;
    const loop = () => {
      this.running = this.tick()
        .catch((e: unknown) => console.error("[minos] alert evaluation failed", e))
        .finally(() => {
          this.running = null;
          if (!this.stopped) {
            this.timer = setTimeout(loop, this.nextRoundInMs());
            this.timer.unref?.();
          }
        });
    };
    this.timer = setTimeout(loop, 0);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (this.lease) await releaseLease(this.deps.db, this.lease).catch(() => {});
    this.lease = null;
  }

  /**
   * The wait before the next round: the poll interval, or less when a pending alert's duration
   * ends sooner, so an alert fires at its due time rather than up to an interval after it.
   */
  nextRoundInMs(): number {
    const interval = this.deps.intervalMs();
    if (this.nextDueAt === null) return interval;
    return Math.max(MIN_ROUND_DELAY_MS, Math.min(interval, this.nextDueAt - this.deps.now().getTime()));
  }

  /** One round; null when another replica holds the lease. */
  async tick(): Promise<RoundResult | null> {
    const { db } = this.deps;
    // Set again only by a round that completes: a failed round (or another replica's) leaves no
    // stale due time behind to chase with an immediate retry.
    this.nextDueAt = null;
    // A few rounds' worth, so a slow round never lets it lapse between two.
    const ttl = Math.max(this.deps.intervalMs() * 3, LEASE_TTL_MS * 2);
    this.lease = await acquireLease(db, EVALUATOR_LEASE, this.deps.owner, this.deps.now().getTime(), ttl);
    if (!this.lease) return null;
    const [inputs, rules] = await Promise.all([this.deps.gather(), ruleSettings(db)]);
    const now = this.deps.now();
    const evaluation = evaluate(inputs, rules, now);
    const newId = this.deps.newId ?? randomUUID;
    const prune = this.prunedAt === null || now.getTime() - this.prunedAt >= PRUNE_EVERY_MS;
    const result = await fenced(db, this.lease, async (trx) => {
      const open = await listOpenAlerts(trx);
      const silences = await listSilences(trx, now);
      const s = step(open, evaluation.conditions, rules, silences, evaluation.skipped, now, newId, evaluation.held);
      await saveAlerts(trx, s.upserts, new Set(open.map((a) => a.id)), now);
      await deleteAlerts(trx, s.dropped.map((a) => a.id));
      for (const n of s.notices) await this.deps.notify(trx, toNotice(n.alert, n.reason), now);
      await setEvaluatedAt(trx, now);
      if (prune) await pruneResolvedAlerts(trx, new Date(now.getTime() - ALERT_RETENTION_MS));
      const touched = new Set([...s.upserts, ...s.dropped].map((a) => a.id));
      const stillOpen = [...open.filter((a) => !touched.has(a.id)), ...s.upserts.filter((a) => a.status !== "resolved")];
      // Only alerts whose rule was evaluated can fire next round: one skipped or held (its source
      // failed, its node is down) may be long past due and would otherwise make the loop spin.
      const evaluated = (a: AlertRecord) => !evaluation.skipped.has(a.rule) && !isHeld(evaluation.held, a);
      const due = stillOpen.filter((a) => a.status === "pending" && evaluated(a)).map((a) => Date.parse(a.pendingSince) + (rules.get(a.rule)?.forSeconds ?? 0) * 1000);
      this.nextDueAt = due.length > 0 ? Math.min(...due) : null;
      return { step: s, counts: countAlerts(stillOpen) };
    });
    // Only once its transaction committed: a round that failed prunes again next time.
    if (prune) this.prunedAt = now.getTime();
    if (result.step.notices.length > 0) this.deps.notified?.();
    if (result.step.upserts.length > 0 || result.step.dropped.length > 0) {
      // A dropped pending alert goes out as resolved, so a client's active list lets it go.
      this.deps.publish({ counts: result.counts, changed: [...result.step.upserts, ...result.step.dropped.map((a) => ({ ...a, status: "resolved" as const, endsAt: now.toISOString() }))].map(toAlert), evaluatedAt: now.toISOString() });
    }
    return { step: result.step, evaluatedAt: now };
  }
}

/** The wire shape (the engine's bookkeeping left out). */
export function toAlert(a: AlertRecord): Alert {
  const { notifiedSeverity: _n, ...alert } = a;
  return alert;
}
