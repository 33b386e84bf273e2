import type { Clock } from "../utils/clock";

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
