import "server-only";

import { performance } from "node:perf_hooks";

import type { Channel, ChannelType } from "@/lib/schemas/alerts";
import type { AlertNotice } from "@/lib/server/alerts/notices";
import type { Db } from "@/lib/server/platform/db/db";
import type { AlertChannelsTable, AlertNotificationsTable } from "@/lib/server/platform/db/schema-alert-delivery";
import { holdLease, type HeldLease } from "@/lib/server/platform/leases";
import type { SecretBox } from "@/lib/server/platform/secret-box";
import type { Clock } from "@/lib/utils/clock";

import { isPermanentFailure, nextAttemptAfterFailure, PERMANENT_GIVE_UP } from "./backoff";
import { fromNotice } from "./messages";
import type { OpenChannel } from "./model";
import { recordAttempt } from "./outcome";
import { openChannel, pruneDeliveryLog } from "./repository";
import type { Sender, SenderDeps, SendResult } from "./senders";

/** The lease that makes one replica the sender (the others stay idle until it expires). */
export const DELIVERY_LEASE = "alerts:delivery";
/** Rows sent per channel per tick; more wait for the next (a tick is a second away). */
const PER_CHANNEL = 20;
/** The delivery log and finished notifications are kept this long. */
const KEEP_LOG_MS = 30 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

export interface DeliveryWorkerDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  /** This replica (replicaId()). */
  owner: string;
  senders: Record<ChannelType, Sender>;
  sender: Omit<SenderDeps, "now">;
  /** A channel's state changed (SSE `alert-channel`). */
  publish(channel: Channel): void;
}

type Row = Pick<AlertNotificationsTable, "alert_id" | "channel_id" | "status" | "notice" | "attempts" | "next_attempt_at" | "created_at" | "claimed_until"> & { id: number };

/**
 * Sends the outbox. Each tick, the replica holding the lease `alerts:delivery` claims the due rows
 * (a fenced write: a replica that lost the lease claims nothing), sends them, and records every
 * attempt. The outcome is written against the claim, not the lease, so an attempt that was made
 * is recorded even if the lease moved meanwhile; another replica does not touch a claimed row
 * until the claim expires (after the send timeout), so no row is sent twice unless its sender
 * died mid-send (then it is sent again: at least once).
 *
 * Per channel, rows go out in the order they were enqueued and a failed one holds back the later
 * ones (a `resolved` never overtakes its `firing`); channels are sent to in parallel.
 */
export class DeliveryWorker {
  private held: HeldLease | null = null;
  private timer: unknown = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  private lastPrune = 0;
  private kicked = false;

  constructor(
    private readonly deps: DeliveryWorkerDeps,
    private readonly opts: { tickMs: number },
  ) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = this.deps.clock.setTimeout(this.loop, 0);
  }

  /**
   * Sends what is due now rather than at the next tick: the engine calls it once a round queued
   * notices, so a notification does not wait out the tick. A tick already running is followed by
   * another at once. Only this process's worker hears it; the lease still decides who sends.
   */
  kick(): void {
    if (this.stopped || this.timer === null) return;
    if (this.running) {
      this.kicked = true;
      return;
    }
    this.deps.clock.clearTimeout(this.timer);
    this.timer = this.deps.clock.setTimeout(this.loop, 0);
  }

  /** No tick is running (for tests and diagnostics). */
  get idle(): boolean {
    return this.running === null;
  }

  private readonly loop = (): void => {
    this.running = this.tick()
      .catch((e: unknown) => console.error("[minos] alert delivery tick failed", e))
      .finally(() => {
        this.running = null;
        const again = this.kicked;
        this.kicked = false;
        if (!this.stopped) this.timer = this.deps.clock.setTimeout(this.loop, again ? 0 : this.opts.tickMs);
      });
  };

  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.clock.clearTimeout(this.timer);
    await this.running;
    await this.held?.release();
    this.held = null;
  }

  /** One round: returns how many attempts were made. */
  async tick(): Promise<number> {
    if (this.held?.lost) this.held = null;
    this.held ??= await holdLease(this.deps.db, DELIVERY_LEASE, this.deps.owner, { clock: this.deps.clock });
    if (!this.held || this.stopped) return 0;
    const now = new Date(this.deps.clock.now());
    if (now.getTime() - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now.getTime();
      await pruneDeliveryLog(this.deps.db, new Date(now.getTime() - KEEP_LOG_MS));
    }
    const claimed = await this.claimDue(this.held, now);
    if (claimed.rows.length === 0) return 0;
    const byChannel = new Map<string, Row[]>();
    for (const r of claimed.rows) byChannel.set(r.channel_id, [...(byChannel.get(r.channel_id) ?? []), r]);
    const counts = await Promise.all([...byChannel].map(([channelId, rows]) => this.sendChannel(claimed.token, claimed.channels.get(channelId)!, rows)));
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * The due rows, claimed for this tick in one fenced transaction: per channel, the pending rows
   * in order up to the first one not yet due (or claimed by someone else).
   */
  private async claimDue(held: HeldLease, now: Date): Promise<{ token: string; rows: Row[]; channels: Map<string, AlertChannelsTable> }> {
    const token = `${held.lease.owner}#${held.lease.fence}`;
    const iso = now.toISOString();
    const until = this.claimUntil(now);
    return held.fenced(async (trx) => {
      // Per channel, so a long backlog behind one dead channel never starves the others.
      const channelIds = (await trx.selectFrom("alert_notifications").select("channel_id").distinct().where("state", "=", "pending").execute()).map((c) => c.channel_id);
      const pending: Row[] = [];
      for (const channelId of channelIds) {
        pending.push(
          ...(await trx
            .selectFrom("alert_notifications")
            .select(["id", "alert_id", "channel_id", "status", "notice", "attempts", "next_attempt_at", "created_at", "claimed_until"])
            .where("state", "=", "pending")
            .where("channel_id", "=", channelId)
            .orderBy("id")
            .limit(PER_CHANNEL)
            .execute()),
        );
      }
      const blocked = new Set<string>();
      const due: Row[] = [];
      for (const r of pending) {
        if (blocked.has(r.channel_id)) continue;
        const claimedByOther = r.claimed_until !== null && r.claimed_until > iso;
        if (r.next_attempt_at > iso || claimedByOther) {
          blocked.add(r.channel_id);
          continue;
        }
        due.push(r);
      }
      const channels = new Map<string, AlertChannelsTable>();
      if (due.length === 0) return { token, rows: [], channels };
      const ids = [...new Set(due.map((r) => r.channel_id))];
      for (const c of await trx.selectFrom("alert_channels").selectAll().where("id", "in", ids).execute()) channels.set(c.id, c);
      // Rows of a channel deleted or switched off meanwhile are not sent.
      const orphaned = due.filter((r) => channels.get(r.channel_id)?.enabled !== 1).map((r) => r.id);
      if (orphaned.length > 0) {
        await trx.updateTable("alert_notifications").set({ state: "cancelled", finished_at: iso }).where("id", "in", orphaned).execute();
      }
      const rows = due.filter((r) => channels.get(r.channel_id)?.enabled === 1);
      if (rows.length > 0) {
        await trx.updateTable("alert_notifications").set({ claimed_by: token, claimed_until: until }).where("id", "in", rows.map((r) => r.id)).execute();
      }
      return { token, rows, channels };
    });
  }

  /** A claim outlives the longest attempt (an SMTP conversation may take two timeouts) with room to record it. */
  private claimUntil(now: Date): string {
    return new Date(now.getTime() + this.deps.sender.timeoutMs * 3 + 30_000).toISOString();
  }

  /**
   * Extends this tick's claim on a row just before it is sent (rows wait their turn behind the
   * channel's earlier ones); false when the claim is no longer ours (it expired and another
   * replica took the row), and then the row is left to it.
   */
  private async renewClaim(token: string, id: number): Promise<boolean> {
    const r = await this.deps.db
      .updateTable("alert_notifications")
      .set({ claimed_until: this.claimUntil(new Date(this.deps.clock.now())) })
      .where("id", "=", id)
      .where("claimed_by", "=", token)
      .where("state", "=", "pending")
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Sends one channel's claimed rows in order, stopping at the first failure (the rest are unclaimed, to wait behind it). */
  private async sendChannel(token: string, row: AlertChannelsTable, rows: Row[]): Promise<number> {
    let channel: OpenChannel | null = null;
    let openError: string | null = null;
    try {
      channel = openChannel(this.deps.box, row);
    } catch {
      openError = "the channel's secrets could not be opened (was MINOS_SECRET_KEY changed?)";
    }
    let made = 0;
    for (const [i, r] of rows.entries()) {
      if (!(await this.renewClaim(token, r.id))) break;
      const notice = JSON.parse(r.notice) as AlertNotice;
      const started = performance.now();
      const result: SendResult = channel
        ? await this.deps.senders[channel.type](channel, fromNotice(notice), { ...this.deps.sender, now: () => new Date(this.deps.clock.now()) }).catch((e: unknown) => ({
            ok: false,
            statusCode: null,
            // A sender is meant to return failures; one that throws is a bug, and its message may hold anything.
            error: `the sender failed unexpectedly (${(e as Error).name})`,
          }))
        : { ok: false, statusCode: null, error: openError };
      made++;
      await this.record(token, row, r, notice, result, Math.round(performance.now() - started));
      if (!result.ok) {
        const rest = rows.slice(i + 1).map((x) => x.id);
        if (rest.length > 0) {
          await this.deps.db.updateTable("alert_notifications").set({ claimed_by: null, claimed_until: null }).where("id", "in", rest).where("claimed_by", "=", token).execute();
        }
        break;
      }
    }
    return made;
  }

  private async record(token: string, channel: AlertChannelsTable, r: Row, notice: AlertNotice, result: SendResult, durationMs: number): Promise<void> {
    const now = new Date(this.deps.clock.now());
    const attempts = r.attempts + 1;
    const { changed } = await this.deps.db.transaction().execute(async (trx) => {
      const next = result.ok || (await refusedForGood(trx, r.id, channel, result)) ? null : nextAttemptAfterFailure(attempts, new Date(r.created_at), now);
      // Against the claim: a row deleted with its channel meanwhile updates nothing, and the attempt is still logged.
      await trx
        .updateTable("alert_notifications")
        .set({
          attempts,
          state: result.ok ? "sent" : next ? "pending" : "failed",
          next_attempt_at: (next ?? now).toISOString(),
          last_error: result.error,
          claimed_by: null,
          claimed_until: null,
          finished_at: result.ok || !next ? now.toISOString() : null,
        })
        .where("id", "=", r.id)
        .where("claimed_by", "=", token)
        .execute();
      return recordAttempt(
        trx,
        {
          notification_id: r.id,
          channel_id: channel.id,
          channel_name: channel.name,
          channel_type: channel.type,
          alert_id: r.alert_id,
          kind: r.status,
          rule: notice.rule,
          severity: notice.severity,
          cluster: notice.cluster,
          attempt: attempts,
          at: now.toISOString(),
          ok: result.ok ? 1 : 0,
          status_code: result.statusCode,
          error: result.error,
          duration_ms: durationMs,
          next_attempt_at: next ? next.toISOString() : null,
        },
        result,
        now,
      );
    });
    if (changed) this.deps.publish(changed);
  }
}

/**
 * Whether this failed attempt is the PERMANENT_GIVE_UP-th permanent refusal in a row of the
 * notification (the earlier ones read from its delivery log), so it is given up rather than
 * holding back the rest of its channel's queue for a day.
 */
async function refusedForGood(db: Db, notificationId: number, channel: Pick<AlertChannelsTable, "id" | "type">, result: SendResult): Promise<boolean> {
  if (!isPermanentFailure(channel.type, result.statusCode)) return false;
  // By channel and time, newest first, so the index (channel_id, at) finds them: the head row's
  // attempts are its channel's latest ones (later rows wait behind it).
  const earlier = await db
    .selectFrom("alert_deliveries")
    .select("status_code")
    .where("channel_id", "=", channel.id)
    .where("notification_id", "=", notificationId)
    .orderBy("at", "desc")
    .orderBy("id", "desc")
    .limit(PERMANENT_GIVE_UP - 1)
    .execute();
  return earlier.length === PERMANENT_GIVE_UP - 1 && earlier.every((d) => isPermanentFailure(channel.type, d.status_code));
}
