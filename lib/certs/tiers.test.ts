import { describe, expect, it } from "vitest";

import { certTier, daysLeft } from "@/lib/certs/tiers";

const now = new Date("2026-11-26T12:00:00Z");
const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000);

describe("certTier", () => {
  it.each([
    ["leaf", 400, "ok"],
    ["leaf", 30.5, "ok"],
    ["leaf", 30, "notice"],
    ["leaf", 7.5, "notice"],
    ["leaf", 7, "warning"],
    ["leaf", 1.5, "warning"],
    ["leaf", 1, "critical"],
    ["leaf", -3, "critical"],
    ["ca", 3650, "ok"],
    ["ca", 365, "notice"],
    ["ca", 90, "warning"],
    ["ca", 31, "warning"],
    ["ca", 30, "critical"],
  ] as const)("%s with %d days left is %s", (kind, days, tier) => {
    expect(certTier(kind, inDays(days), now)).toBe(tier);
  });
});

describe("daysLeft", () => {
  it("rounds down and goes negative after expiry", () => {
    expect(daysLeft(inDays(10.9), now)).toBe(10);
    expect(daysLeft(inDays(-0.5), now)).toBe(-1);
  });
});
