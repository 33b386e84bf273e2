import { describe, expect, it } from "vitest";

import { linesResponseBody, primeFirst, SESSION_ENDED_LINE, STALLED_LINE, watchSession } from "./pump";

/** A source that counts what was read and records when it was released. */
function counting(chunks: number, chunkBytes = 1024) {
  const state = { read: 0, released: false };
  const line = "x".repeat(chunkBytes - 1) + "\n";
  const it: AsyncIterator<Buffer> = {
    next: async () => {
      if (state.released || state.read >= chunks) return { done: true, value: undefined };
      state.read++;
      return { done: false, value: Buffer.from(line) };
    },
    return: async () => {
      state.released = true;
      return { done: true, value: undefined };
    },
  };
  return { state, it };
}

/** Lets queued microtasks and pulls run. */
const settle = () => new Promise((r) => setTimeout(r, 5));

/** Timers the test fires by hand. */
function manualTimers() {
  const pending: { fn: () => void; cancelled: boolean }[] = [];
  return {
    setTimer: (fn: () => void) => {
      const t = { fn, cancelled: false };
      pending.push(t);
      return { cancel: () => void (t.cancelled = true) };
    },
    fireAll: () => pending.splice(0).filter((t) => !t.cancelled).forEach((t) => t.fn()),
  };
}

describe("linesResponseBody", () => {
  it("reads the node only as fast as the response drains (bounded by the high-water mark)", async () => {
    const { state, it: src } = counting(10_000);
    const body = linesResponseBody(src, { framing: "stream", highWaterMark: 16 * 1024, abort: new AbortController(), setTimer: manualTimers().setTimer });
    const reader = body.getReader();
    await settle();
    // Nobody reads: 16 KiB of 1 KiB lines, then it stops asking the node.
    expect(state.read).toBeLessThanOrEqual(17);
    expect(state.read).toBeGreaterThanOrEqual(16);
    await reader.read();
    await settle();
    expect(state.read).toBeLessThanOrEqual(18);
    await reader.cancel();
  });

  it("cuts a follower that stops reading, with a last line saying so, and releases the node stream", async () => {
    const timers = manualTimers();
    const { state, it: src } = counting(10_000);
    const abort = new AbortController();
    const ends: string[] = [];
    const body = linesResponseBody(src, { framing: "stream", highWaterMark: 4 * 1024, abort, setTimer: timers.setTimer, onEnd: (how) => ends.push(how) });
    await settle();
    timers.fireAll();
    expect(abort.signal.aborted).toBe(true);
    expect(state.released).toBe(true);
    expect(ends).toEqual(["stalled"]);
    const text = await new Response(body).text();
    expect(text.endsWith(STALLED_LINE)).toBe(true);
    expect(text.split("\n").length).toBeLessThan(10);
  });

  it("does not cut a reader that keeps draining", async () => {
    const timers = manualTimers();
    const { it: src } = counting(100);
    const ends: string[] = [];
    const body = linesResponseBody(src, { framing: "stream", highWaterMark: 4 * 1024, abort: new AbortController(), setTimer: timers.setTimer, onEnd: (how) => ends.push(how) });
    const reader = body.getReader();
    let lines = 0;
    for (;;) {
      const r = await reader.read();
      // Every read drains, which disarms any stall timer set while the queue was full.
      timers.fireAll();
      if (r.done) break;
      lines += Buffer.from(r.value).toString().split("\n").length - 1;
    }
    expect(lines).toBe(100);
    expect(ends).toEqual(["done"]);
  });

  it("aborts the source when the response is cancelled", async () => {
    const { state, it: src } = counting(10_000);
    const abort = new AbortController();
    const ends: string[] = [];
    const body = linesResponseBody(src, { framing: "stream", abort, setTimer: manualTimers().setTimer, onEnd: (how) => ends.push(how) });
    const reader = body.getReader();
    await reader.read();
    await reader.cancel();
    expect(abort.signal.aborted).toBe(true);
    expect(state.released).toBe(true);
    expect(ends).toEqual(["cancelled"]);
  });

  it("ends with a line naming the failure when the node fails mid-stream", async () => {
    let n = 0;
    const src: AsyncIterator<Buffer> = {
      next: async () => {
        if (n++ === 0) return { done: false, value: Buffer.from("first\nhalf") };
        throw new Error("boom");
      },
    };
    const body = linesResponseBody(src, { framing: "stream", abort: new AbortController(), describeError: (e) => `node says ${(e as Error).message}` });
    expect(await new Response(body).text()).toBe("first\nhalf\n[minos] stream failed: node says boom\n");
  });
});

describe("the session check of an open stream", () => {
  /** A follower's source: one line, then nothing until released. */
  function parked() {
    const state = { released: false };
    let wake: () => void = () => {};
    let n = 0;
    const it: AsyncIterator<Buffer> = {
      next: async () => {
        if (n++ === 0) return { done: false, value: Buffer.from("hello\n") };
        await new Promise<void>((r) => (wake = r));
        return { done: true, value: undefined };
      },
      return: async () => {
        state.released = true;
        wake();
        return { done: true, value: undefined };
      },
    };
    return { state, it };
  }

  async function readAll(body: ReadableStream<Uint8Array>): Promise<string> {
    return new Response(body).text();
  }

  it("ends the stream with a last line once the check fails, releasing the node's stream", async () => {
    const { state, it: src } = parked();
    const timers = manualTimers();
    const abort = new AbortController();
    const ends: string[] = [];
    const verdicts = [true, false];
    const body = linesResponseBody(src, { framing: "stream", abort, setTimer: timers.setTimer, onEnd: (how) => ends.push(how), session: { stillAllowed: async () => verdicts.shift()! } });
    const text = readAll(body);
    await settle();
    timers.fireAll(); // passes: armed again
    await settle();
    expect(ends).toEqual([]);
    timers.fireAll(); // fails
    expect(await text).toBe(`hello\n${SESSION_ENDED_LINE}`);
    expect(ends).toEqual(["session"]);
    expect(abort.signal.aborted).toBe(true);
    expect(state.released).toBe(true);
  });

  it("a check that throws (the store down, a revoked token refused) ends the stream too", async () => {
    const { it: src } = parked();
    const timers = manualTimers();
    const ends: string[] = [];
    const body = linesResponseBody(src, {
      framing: "stream",
      abort: new AbortController(),
      setTimer: timers.setTimer,
      onEnd: (how) => ends.push(how),
      session: {
        stillAllowed: () => Promise.reject(new Error("unauthorized")),
      },
    });
    const text = readAll(body);
    await settle();
    timers.fireAll();
    expect(await text).toBe(`hello\n${SESSION_ENDED_LINE}`);
    expect(ends).toEqual(["session"]);
  });

  it("stops checking once the stream ended, and checks at the given interval", async () => {
    const asked: number[] = [];
    const pending: { fn: () => void; cancelled: boolean }[] = [];
    let calls = 0;
    const w = watchSession(
      { everyMs: 30_000, stillAllowed: async () => (calls++, true) },
      () => {
        throw new Error("must not end");
      },
      (fn, ms) => {
        asked.push(ms);
        const t = { fn, cancelled: false };
        pending.push(t);
        return { cancel: () => void (t.cancelled = true) };
      },
    );
    pending.shift()!.fn();
    await settle();
    expect(calls).toBe(1);
    expect(asked).toEqual([30_000, 30_000]);
    w.stop();
    expect(pending.every((t) => t.cancelled)).toBe(true);
  });
});

describe("primeFirst", () => {
  it("throws the node's refusal before any header is sent", async () => {
    const src: AsyncIterator<Buffer> = { next: () => Promise.reject(new Error("container not found")) };
    await expect(primeFirst(src, 1_000)).rejects.toThrow("container not found");
  });

  it("replays the first chunk, then reads on", async () => {
    const { it: src } = counting(2, 4);
    const primed = await primeFirst(src, 1_000);
    expect((await primed.next()).value?.toString()).toBe("xxx\n");
    expect((await primed.next()).value?.toString()).toBe("xxx\n");
    expect((await primed.next()).done).toBe(true);
  });

  it("returns after the wait when a follower has nothing yet, and the first line still arrives", async () => {
    let resolveFirst: (v: IteratorResult<Buffer>) => void = () => {};
    const src: AsyncIterator<Buffer> = { next: () => new Promise((r) => (resolveFirst = r)) };
    const timers = manualTimers();
    const primedP = primeFirst(src, 1_500, timers.setTimer);
    await settle();
    timers.fireAll();
    const primed = await primedP;
    const first = primed.next();
    resolveFirst({ done: false, value: Buffer.from("late\n") });
    expect((await first).value?.toString()).toBe("late\n");
  });
});
