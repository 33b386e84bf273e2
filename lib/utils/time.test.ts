import { describe, expect, it } from "vitest";

import { formatAgo } from "./time";

const NOW = Date.parse("2026-09-01T12:00:00.000Z");
const before = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

describe("formatAgo", () => {
  it.each([
    [0, "just now"],
    [4, "just now"],
    [5, "5 s ago"],
    [59, "59 s ago"],
    [60, "1 min ago"],
    [119, "1 min ago"],
    [59 * 60 + 59, "59 min ago"],
    [3600, "1 h ago"],
    [47 * 3600 + 3599, "47 h ago"],
    [48 * 3600, "2 d ago"],
    [30 * 86400, "30 d ago"],
  ])("%d s before now: %s", (seconds, text) => {
    expect(formatAgo(before(seconds), NOW)).toBe(text);
  });

  it("a time ahead of the browser's clock reads as just now, never as a negative age", () => {
    expect(formatAgo(before(-90), NOW)).toBe("just now");
  });
});
