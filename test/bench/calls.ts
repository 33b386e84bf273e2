/**
 * Records every call a runner makes on a Talos client (method, node, start and end, epoch ms like
 * the simulator's timeline), so a benchmark can say where the time between the simulator's steps
 * goes. Streams count from the call to their last message.
 */
export interface CallRecord {
  method: string;
  node: string;
  start: number;
  end: number;
}

export function recordCalls<T extends object>(client: T, log: CallRecord[]): T {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || typeof prop !== "string") return value;
      return (...args: unknown[]) => {
        const start = Date.now();
        const node = typeof args[0] === "string" ? args[0] : "";
        const done = () => log.push({ method: prop, node, start, end: Date.now() });
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (out instanceof Promise) return out.finally(done);
        if (out && typeof out === "object" && Symbol.asyncIterator in out) {
          return (async function* () {
            try {
              yield* out as AsyncIterable<unknown>;
            } finally {
              done();
            }
          })();
        }
        done();
        return out;
      };
    },
  });
}

/** The calls of one method on one node, in order. */
export function callsOf(log: CallRecord[], node: string, method: string): CallRecord[] {
  return log.filter((c) => c.node === node && c.method === method).sort((a, b) => a.start - b.start);
}

export function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}
