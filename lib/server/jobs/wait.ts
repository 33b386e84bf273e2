import { type Clock, sleep } from "@/lib/utils/clock";

export type Verdict = { ok: true } | { ok: false; reason: string };

export interface WaitOptions {
  clock: Clock;
  /** Time between two checks. */
  pollMs: number;
  /** Epoch ms after which a failed check ends the wait. */
  deadline: number;
  /** Aborting ends the wait after the check in progress, with that check's verdict. */
  signal?: AbortSignal;
  /** One look at the node; a throw ends the wait (catch inside when a failure means "not yet"). */
  check(): Promise<Verdict>;
  /** Called when the reason the node is not there yet changes (node messages, logs). */
  onWaiting?(reason: string): void;
  /**
   * Something that says when the node changed (./node-events: its Events stream): the next check
   * comes as soon as it resolves, and `pollMs` is only the fallback for when it says nothing.
   */
  wake?: { wait(ms: number): Promise<unknown> };
}

export type WaitResult = Verdict & { timedOut?: true };

/**
 * The per-node wait of rollouts and upgrades: checks the node until it passes, the deadline
 * passes, or the job stops. The node is always checked at least once, so a node that is
 * already healthy passes even when the deadline was spent before the wait began.
 */
export async function waitUntil(o: WaitOptions): Promise<WaitResult> {
  let lastReason: string | null = null;
  for (;;) {
    const verdict = await o.check();
    if (verdict.ok || o.signal?.aborted) return verdict;
    if (verdict.reason !== lastReason) {
      lastReason = verdict.reason;
      o.onWaiting?.(verdict.reason);
    }
    if (o.clock.now() >= o.deadline) return { ...verdict, timedOut: true };
    if (o.wake) await o.wake.wait(o.pollMs);
    else await sleep(o.clock, o.pollMs, o.signal);
  }
}
