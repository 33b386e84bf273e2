import "server-only";

/**
 * When a failed notification is tried again: 5 s after the first failure, doubling (10 s, 20 s, …),
 * capped at 5 minutes. A notification is given up (state `failed`) once its next attempt would
 * come more than 24 hours after it was enqueued: with the cap that is 293 attempts, enough
 * for a receiver's outage of a day; a notice older than that is stale anyway. A notification
 * refused for good PERMANENT_GIVE_UP times in a row is given up sooner (after ~15 s).
 */
export const BACKOFF_FIRST_MS = 5_000;
export const BACKOFF_MAX_MS = 5 * 60_000;
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;
/**
 * A notification whose last PERMANENT_GIVE_UP attempts in a row were refused for good (see
 * isPermanentFailure) is given up, so the rows behind it in its channel's queue move on instead
 * of waiting out the 24 hours. Three, not one: a receiver being redeployed may answer 404 for a moment.
 */
export const PERMANENT_GIVE_UP = 3;

/**
 * HTTP answers that say "this request will never be accepted as it is" (bad payload, wrong or
 * revoked credentials, a deleted hook, too large). 408, 425 and 429 are "later", not "never";
 * any other 4xx is taken as final. SMTP 5xx replies (550 mailbox unavailable, 535 auth refused, …)
 * are permanent by RFC 5321; 4xx replies are transient. No answer (null) is never permanent.
 */
export function isPermanentFailure(channelType: string, statusCode: number | null): boolean {
  if (statusCode === null) return false;
  if (channelType === "email") return statusCode >= 500 && statusCode < 600;
  return statusCode >= 400 && statusCode < 500 && statusCode !== 408 && statusCode !== 425 && statusCode !== 429;
}

/** Consecutive failed deliveries (notifications or tests) that mark a channel `failing`. */
export const FAILING_AFTER = 3;

/** The wait after the `attempts`-th failure (1-based). */
export function backoffMs(attempts: number): number {
  const n = Math.max(1, attempts);
  // 2^(n-1) overflows to Infinity long after the cap; Math.min keeps the cap.
  return Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(n - 1, 30));
}

/** The next attempt's time after a failure, or null when the notification is given up. */
export function nextAttemptAfterFailure(attempts: number, createdAt: Date, now: Date): Date | null {
  const next = new Date(now.getTime() + backoffMs(attempts));
  return next.getTime() - createdAt.getTime() > GIVE_UP_AFTER_MS ? null : next;
}
