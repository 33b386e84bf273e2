import { type Clock, sleep } from "@/lib/utils/clock";

/** What a job's loop is given: the stop signal, and a way to sleep until it is woken. */
export interface LoopContext {
  /** Aborts when the runner stops; in-flight steps end early, their state stays persisted. */
  signal: AbortSignal;
  /**
   * Resolves on the next `wake(id)`, or after `fallbackMs` (a lost wake-up must not stall a
   * job), or when the runner stops. Call it before reading the state it waits on, so a wake
   * that comes in between is not lost.
   */
  nextWake(fallbackMs: number): Promise<void>;
}

interface Loop {
  wake(): void;
  done: Promise<void>;
}

/**
 * The drive loops of a runner over persisted jobs (rollouts, upgrade plans): at most one loop
 * per job and process, so two callers (a resume at boot, an API action) never drive one job
 * twice; stop() ends them all and waits for them.
 */
export class JobLoops {
  private readonly loops = new Map<string, Loop>();
  private readonly abort = new AbortController();

  constructor(
    private readonly clock: Clock,
    private readonly onError: (id: string, error: unknown) => void,
  ) {}

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  has(id: string): boolean {
    return this.loops.has(id);
  }

  /** Starts `run` as the loop of job `id`, unless it has one or the runner stopped. */
  ensure(id: string, run: (ctx: LoopContext) => Promise<void>): void {
    if (this.loops.has(id) || this.stopped) return;
    let wake = () => {};
    const loop: Loop = { wake: () => wake(), done: Promise.resolve() };
    const nextWake = (fallbackMs: number) =>
      new Promise<void>((resolve) => {
        wake = resolve;
        void sleep(this.clock, fallbackMs, this.abort.signal).then(resolve);
      });
    loop.done = (async () => {
      try {
        await run({ signal: this.abort.signal, nextWake });
      } catch (e) {
        this.onError(id, e);
      } finally {
        this.loops.delete(id);
      }
    })();
    this.loops.set(id, loop);
  }

  /** Wakes the loop of job `id` (after a state change it should act on). */
  wake(id: string): void {
    this.loops.get(id)?.wake();
  }

  /** Resolves when the loop of job `id` (if any) has ended. */
  async idle(id: string): Promise<void> {
    await this.loops.get(id)?.done;
  }

  /** Resolves when no job is being driven (loops started meanwhile included). */
  async drain(): Promise<void> {
    while (this.loops.size > 0) await Promise.all([...this.loops.values()].map((l) => l.done));
  }

  /** No new loops; the signal aborts; resolves when every loop has ended. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all([...this.loops.values()].map((l) => l.done));
  }
}
