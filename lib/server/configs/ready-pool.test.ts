import { describe, expect, it } from "vitest";

import { PoolBusyError, ReadyPool } from "@/lib/server/configs/ready-pool";

/** A generator whose calls the test finishes by hand, counting calls and the most ever in flight. */
function manualMaker() {
  const pending: { resolve: (v: string) => void; reject: (e: unknown) => void }[] = [];
  let calls = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const make = () => {
    calls++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return new Promise<string>((resolve, reject) => {
      pending.push({
        resolve: (v) => {
          inFlight--;
          resolve(v);
        },
        reject: (e) => {
          inFlight--;
          reject(e);
        },
      });
    });
  };
  return {
    make,
    get calls() {
      return calls;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    /** Finishes the oldest pending call with `value` and lets the pool react. */
    async finish(value: string) {
      pending.shift()!.resolve(value);
      await flush();
    },
    async fail(e: unknown) {
      pending.shift()!.reject(e);
      await flush();
    },
    get pending() {
      return pending.length;
    },
  };
}

const flush = () => new Promise((r) => setImmediate(r));

/** Resolves to "pending" if `p` has not settled after the microtask queue drains. */
async function state<T>(p: Promise<T>): Promise<"pending" | { value: T } | { error: unknown }> {
  let out: "pending" | { value: T } | { error: unknown } = "pending";
  p.then(
    (value) => (out = { value }),
    (error: unknown) => (out = { error }),
  );
  await flush();
  return out;
}

describe("ReadyPool", () => {
  it("fills to its size in the background, one generation at a time", async () => {
    const m = manualMaker();
    const pool = new ReadyPool({ make: m.make, size: 3, maxWaiting: 2 });
    pool.fill();
    pool.fill();
    expect(m.calls).toBe(1);
    for (const v of ["a", "b", "c"]) await m.finish(v);
    expect(pool.stock).toBe(3);
    expect(m.calls).toBe(3);
    expect(m.maxInFlight).toBe(1);
    expect(m.pending).toBe(0);
  });

  it("hands out a ready item without generating on the request path, then refills in the background", async () => {
    const m = manualMaker();
    const pool = new ReadyPool({ make: m.make, size: 2, maxWaiting: 2 });
    pool.fill();
    await m.finish("k1");
    await m.finish("k2");
    expect(m.calls).toBe(2);

    // The replacement generation starts but never finishes: the take must not wait for it.
    expect(await state(pool.take())).toEqual({ value: "k1" });
    expect(m.calls).toBe(3);
    expect(m.pending).toBe(1);
    expect(await state(pool.take())).toEqual({ value: "k2" });
    // Still one generation at a time, whatever the demand.
    expect(m.calls).toBe(3);

    await m.finish("k3");
    expect(m.calls).toBe(4);
    await m.finish("k4");
    expect(pool.stock).toBe(2);
    expect(m.pending).toBe(0);
  });

  it("never hands out an item twice", async () => {
    let n = 0;
    const pool = new ReadyPool({ make: async () => `key-${++n}`, size: 2, maxWaiting: 10 });
    pool.fill();
    const items = await Promise.all(Array.from({ length: 10 }, () => pool.take()));
    expect(new Set(items).size).toBe(10);
  });

  it("an empty pool makes callers wait for the next item, first come first served", async () => {
    const m = manualMaker();
    const pool = new ReadyPool({ make: m.make, size: 1, maxWaiting: 3 });
    const first = pool.take();
    const second = pool.take();
    expect(await state(first)).toBe("pending");
    await m.finish("x");
    expect(await state(first)).toEqual({ value: "x" });
    expect(await state(second)).toBe("pending");
    await m.finish("y");
    expect(await state(second)).toEqual({ value: "y" });
  });

  it("refuses when too many already wait", async () => {
    const m = manualMaker();
    const pool = new ReadyPool({ make: m.make, size: 1, maxWaiting: 2, retryAfterSeconds: 7 });
    void pool.take();
    void pool.take();
    const refused = await state(pool.take());
    expect(refused).toMatchObject({ error: expect.any(PoolBusyError) });
    expect(((refused as { error: PoolBusyError }).error).retryAfterSeconds).toBe(7);
    expect(pool.waiters).toBe(2);
  });

  it("a failed generation fails its waiter and is not retried in a loop when nobody waits", async () => {
    const m = manualMaker();
    const errors: unknown[] = [];
    const pool = new ReadyPool({ make: m.make, size: 2, maxWaiting: 2, onError: (e) => errors.push(e) });
    const waiting = pool.take().catch((e: unknown) => e);
    await m.fail(new Error("no entropy"));
    expect(await state(waiting)).toEqual({ value: expect.objectContaining({ message: "no entropy" }) });
    expect(errors).toHaveLength(1);
    expect(m.calls).toBe(1);
    expect(m.pending).toBe(0);
    // The next request tries again.
    const next = pool.take();
    expect(m.calls).toBe(2);
    await m.finish("ok");
    expect(await state(next)).toEqual({ value: "ok" });
  });

  it("a generator that throws synchronously counts as a failed generation", async () => {
    const pool = new ReadyPool<string>({
      make: () => {
        throw new Error("boom");
      },
      size: 1,
      maxWaiting: 1,
      onError: () => {},
    });
    await expect(pool.take()).rejects.toThrow("boom");
  });
});
