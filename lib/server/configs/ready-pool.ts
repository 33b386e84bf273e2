import "server-only";

/** Thrown by {@link ReadyPool.take} when too many requests already wait; the route answers 429. */
export class PoolBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests are waiting for fresh key material; try again in ${retryAfterSeconds} s`);
    this.name = "PoolBusyError";
  }
}

export interface ReadyPoolOptions<T> {
  /**
   * Makes one item. Called in the background only, one call at a time, so however many
   * requests arrive, at most one expensive generation runs (on libuv's threadpool for
   * `crypto.generateKeyPair`, so the event loop stays free).
   */
  make: () => Promise<T>;
  /** Items kept ready. */
  size: number;
  /** Requests that may wait for an item when none is ready; beyond that `take` refuses. */
  maxWaiting: number;
  /** What a refused `take` suggests as Retry-After. */
  retryAfterSeconds?: number;
  /** A failed `make` (logged by default; the waiter it was for gets the error). */
  onError?: (e: unknown) => void;
}

interface Waiter<T> {
  resolve: (item: T) => void;
  reject: (e: unknown) => void;
}

/**
 * A small stock of expensive, single-use items (fresh key material) made ahead of time. `take`
 * hands out a ready item at once and starts making its replacement in the background; when the
 * stock is empty the caller waits for the next one (first come, first served). Items are never
 * handed out twice.
 */
export class ReadyPool<T> {
  private readonly ready: T[] = [];
  private readonly waiting: Waiter<T>[] = [];
  private making = false;

  constructor(private readonly o: ReadyPoolOptions<T>) {}

  /** Items ready now. */
  get stock(): number {
    return this.ready.length;
  }

  /** Requests waiting for an item. */
  get waiters(): number {
    return this.waiting.length;
  }

  /** Starts filling the stock (idempotent); `take` does this too. */
  fill(): void {
    if (this.making || (this.ready.length >= this.o.size && this.waiting.length === 0)) return;
    this.making = true;
    new Promise<T>((resolve) => resolve(this.o.make())).then(
      (item) => {
        this.making = false;
        const w = this.waiting.shift();
        if (w) w.resolve(item);
        else this.ready.push(item);
        this.fill();
      },
      (e: unknown) => {
        this.making = false;
        (this.o.onError ?? ((err) => console.error("[minos] generating key material failed", err)))(e);
        const w = this.waiting.shift();
        w?.reject(e);
        // Retry only for someone who waits: a persistent failure must not spin in the background.
        if (this.waiting.length > 0) this.fill();
      },
    );
  }

  /** A ready item, else the next one made. @throws PoolBusyError when `maxWaiting` already wait. */
  take(): Promise<T> {
    if (this.ready.length > 0) {
      const item = this.ready.shift()!;
      this.fill();
      return Promise.resolve(item);
    }
    if (this.waiting.length >= this.o.maxWaiting) return Promise.reject(new PoolBusyError(this.o.retryAfterSeconds ?? 5));
    const p = new Promise<T>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.fill();
    return p;
  }
}
