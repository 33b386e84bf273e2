import "server-only";

import type { NoticeSink } from "@/lib/server/alerts/notices";

/**
 * The delivery outbox (placeholder until the delivery work lands): one row per channel that wants
 * the notice, written in the caller's transaction, sent and retried by the delivery worker.
 */
export const enqueueNotice: NoticeSink = async () => 0;
