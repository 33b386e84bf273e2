import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { createTicker } from "./use-now";

describe("the shared ticker behind useNow", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse("2026-09-01T12:00:00.000Z"));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs one interval for all its listeners, and none once the last one leaves", () => {
    const ticker = createTicker(1_000);
    expect(vi.getTimerCount()).toBe(0);
    const a = vi.fn();
    const b = vi.fn();
    const offA = ticker.subscribe(a);
    const offB = ticker.subscribe(b);
    expect(vi.getTimerCount()).toBe(1);

    vi.advanceTimersByTime(3_000);
    expect(a).toHaveBeenCalledTimes(3);
    expect(b).toHaveBeenCalledTimes(3);
    expect(ticker.read()).toBe(Date.parse("2026-09-01T12:00:03.000Z"));

    offA();
    expect(vi.getTimerCount()).toBe(1);
    offB();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("keeps its value between ticks, so React sees a stable snapshot", () => {
    const ticker = createTicker(5_000);
    const off = ticker.subscribe(() => {});
    const first = ticker.read();
    vi.advanceTimersByTime(4_999);
    expect(ticker.read()).toBe(first);
    vi.advanceTimersByTime(1);
    expect(ticker.read()).toBe(first + 5_000);
    off();
  });

  it("an idle ticker reads a fresh time once its value is a period old, not the time it last ran", () => {
    const ticker = createTicker(1_000);
    ticker.subscribe(() => {})();
    const left = ticker.read();
    vi.setSystemTime(left + 60_000);
    const fresh = ticker.read();
    expect(fresh).toBe(left + 60_000);
    // Within the period a second read in the same render gets the same value.
    vi.setSystemTime(fresh + 10);
    expect(ticker.read()).toBe(fresh);
  });

  it("subscribing starts from the current time", () => {
    const ticker = createTicker(5_000);
    vi.setSystemTime(Date.parse("2026-09-01T13:00:00.000Z"));
    const off = ticker.subscribe(() => {});
    expect(ticker.read()).toBe(Date.parse("2026-09-01T13:00:00.000Z"));
    off();
  });
});
