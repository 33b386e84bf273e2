import "server-only";

/**
 * When a failed notification is tried again: 5 s after the first failure, doubling (10 s, 20 s, …),
 * capped at 5 minutes. A notification is given up (state `failed`) once its next attempt would
 * come more than 24 hours after it was enqueued: with the cap that is 293 attempts, enough
 * for a receiver's outage of a day; a notice older than that is stale anyway.
 */
export const BACKOFF_FIRST_MS = 5_000;
export const BACKOFF_MAX_MS = 5 * 60_000;
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;
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
