/** Time source and timers, injected so the node state machine can be driven by a fake clock. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Timers never keep the process alive on their own: stop() and signals decide when it exits.
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** A set of pending timers that can be cancelled together (per node, so stop() leaves nothing behind). */
export class TimerSet {
  private readonly handles = new Set<unknown>();
  constructor(private readonly clock: Clock) {}

  after(ms: number, fn: () => void): () => void {
    const h = this.clock.setTimeout(() => {
      this.handles.delete(h);
      fn();
    }, Math.max(0, ms));
    this.handles.add(h);
    return () => {
      if (this.handles.delete(h)) this.clock.clearTimeout(h);
    };
  }

  clear(): void {
    for (const h of this.handles) this.clock.clearTimeout(h);
    this.handles.clear();
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
