import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { DeferredWrite } from "./deferred-write";

describe("DeferredWrite", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes only the last of a burst, once it pauses", () => {
    const writes: string[] = [];
    const deferred = new DeferredWrite(250);
    for (const text of ["a", "ab", "abc"]) {
      deferred.schedule(() => writes.push(text));
      vi.advanceTimersByTime(100);
    }
    expect(writes).toEqual([]);
    expect(deferred.waiting).toBe(true);
    vi.advanceTimersByTime(250);
    expect(writes).toEqual(["abc"]);
    expect(deferred.waiting).toBe(false);
  });

  it("writes at once on flush, and only once", () => {
    const writes: string[] = [];
    const deferred = new DeferredWrite(250);
    deferred.schedule(() => writes.push("x"));
    deferred.flush();
    deferred.flush();
    vi.advanceTimersByTime(1000);
    expect(writes).toEqual(["x"]);
  });
});
