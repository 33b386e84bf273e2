import "server-only";

import type { NoticeSink } from "@/lib/server/alerts/notices";

import { channelWants } from "./model";
import { channelView, listChannelRows } from "./repository";

/**
 * The delivery outbox: one `pending` row per enabled channel whose severities and clusters want
 * the notice, written in the caller's transaction (the engine's, which records the alert's
 * transition), so the notice is persisted exactly when the transition is. The delivery worker
 * sends them and retries. Returns how many rows were written.
 */
export const enqueueNotice: NoticeSink = async (trx, notice, now) => {
  const channels = (await listChannelRows(trx)).map(channelView).filter((c) => channelWants(c, notice.severity, notice.cluster));
  if (channels.length === 0) return 0;
  const at = now.toISOString();
  await trx
    .insertInto("alert_notifications")
    .values(
      channels.map((c) => ({
        alert_id: notice.alertId,
        channel_id: c.id,
        status: notice.status,
        reason: notice.reason,
        notice: JSON.stringify(notice),
        state: "pending",
        attempts: 0,
        next_attempt_at: at,
        claimed_by: null,
        claimed_until: null,
        last_error: null,
        created_at: at,
        finished_at: null,
      })),
    )
    .execute();
  return channels.length;
};
