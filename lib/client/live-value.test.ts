import { describe, expect, it, vi } from "vitest";

import { LiveValue } from "./live-value";

describe("LiveValue", () => {
  it("tells its subscribers of each change, and nothing when the value stays the same", () => {
    const live = new LiveValue<{ line: number } | null>(null);
    const listener = vi.fn();
    const unsubscribe = live.subscribe(listener);
    const at = { line: 3 };
    live.set(at);
    live.set(at);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(live.get()).toBe(at);
    unsubscribe();
    live.set(null);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(live.get()).toBeNull();
  });
});
