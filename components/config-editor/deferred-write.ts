/**
 * The last of a burst of writes, done once the burst pauses (or at once on flush): the editor's
 * draft is kept in sessionStorage, and serialising a large config on every keystroke costs the
 * main thread for nothing. Flushed on pagehide and on unmount, so a reload keeps every edit.
 */
export class DeferredWrite {
  private pending: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly delayMs: number) {}

  /** Replaces any pending write with this one, to run after `delayMs` of quiet. */
  schedule(write: () => void): void {
    this.pending = write;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.delayMs);
  }

  /** A write waits: the burst has not paused yet. */
  get waiting(): boolean {
    return this.pending !== null;
  }

  /** Runs the pending write now, if any. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const write = this.pending;
    this.pending = null;
    write?.();
  }
}
