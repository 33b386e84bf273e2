import "server-only";

import type { Channel } from "@/lib/schemas/alerts";
import type { Db } from "@/lib/server/platform/db/db";
import type { AlertChannelsTable } from "@/lib/server/platform/db/schema-alert-delivery";

import { FAILING_AFTER } from "./backoff";
import { channelView, getChannelRow, insertDelivery, updateChannel, type NewDelivery } from "./repository";
import type { SendResult } from "./senders";

/**
 * A channel's health after one attempt (pure): a success makes it `ok` and clears the count;
 * the FAILING_AFTER-th failure in a row makes it `failing` (since then).
 */
export function channelAfter(row: Pick<AlertChannelsTable, "state" | "consecutive_failures" | "failing_since">, result: Pick<SendResult, "ok" | "error">, now: Date): Pick<AlertChannelsTable, "state" | "consecutive_failures" | "failing_since" | "last_error" | "last_delivery_at"> {
  const at = now.toISOString();
  if (result.ok) return { state: "ok", consecutive_failures: 0, failing_since: null, last_error: null, last_delivery_at: at };
  const failures = row.consecutive_failures + 1;
  const failing = failures >= FAILING_AFTER;
  return {
    state: failing ? "failing" : row.state,
    consecutive_failures: failures,
    failing_since: failing ? (row.failing_since ?? at) : null,
    last_error: result.error,
    last_delivery_at: at,
  };
}

/**
 * Records one attempt in the delivery log and its effect on the channel, in `trx`. Returns the
 * delivery's id, and the channel's new view when its state changed (ok ↔ failing, untested → …), for the SSE event.
 */
export async function recordAttempt(trx: Db, delivery: NewDelivery, result: SendResult, now: Date): Promise<{ id: number; changed: Channel | null }> {
  const id = await insertDelivery(trx, delivery);
  const row = await getChannelRow(trx, delivery.channel_id);
  if (!row) return { id, changed: null };
  const next = channelAfter(row, result, now);
  await updateChannel(trx, row.id, next);
  return { id, changed: next.state !== row.state ? channelView({ ...row, ...next }) : null };
}
