import type { Clock } from "@/lib/utils/clock";

/** A clock whose time moves only when a test (or a timer it fires) says so. */
export class FakeClock implements Clock {
  time: number;
  readonly keepAlive: boolean[] = [];
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;

  constructor(start = 1_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number, opts?: { keepAlive?: boolean }): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, fn, id });
    this.keepAlive.push(opts?.keepAlive === true);
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Fires every timer due within `ms`, in time order, letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await flush();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = end;
    await flush();
  }

  get pending(): number {
    return this.timers.length;
  }
}

export const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

