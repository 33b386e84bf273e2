/**
 * The one time source of Minos: the fleet poller, the upgrade and rollout runners and the
 * simulator's node state machine all take a `Clock`, so tests can drive them with a fake one.
 * Isomorphic and free of server imports, because the simulator (which must not import
 * lib/server) needs it too.
 */
export interface Clock {
  now(): number;
  /**
   * A timer that does not keep the process alive on its own, unless `keepAlive`: a job waiting
   * for its next step is work (a runner in a process of its own must not exit mid-wait), a
   * poller's or a simulated node's next tick is not.
   */
  setTimeout(fn: () => void, ms: number, opts?: { keepAlive?: boolean }): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms, opts) => {
    const t = setTimeout(fn, ms);
    // Background timers never keep a process (a test, a CLI) alive on their own: stop() and
    // signals decide when it exits.
    if (!opts?.keepAlive) (t as { unref?: () => void }).unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Resolves after `ms` on `clock`, or early (without error) when `signal` aborts. The wait keeps
 * the process alive: the runners sleep between the steps of a job they still have to finish.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = clock.setTimeout(done, ms, { keepAlive: true });
    function done() {
      clock.clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
