import { describe, expect, it } from "vitest";

import { assessCert, certTier, compareUrgency, daysLeft } from "@/lib/certs/tiers";

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

describe("assessCert", () => {
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
  const inHours = (h: number) => new Date(now.getTime() + h * 3_600_000);

  it.each([
    // apid: 24 h life, rotated at 12 h
    [1, "ok", null],
    [12, "ok", null],
    [12.5, "warning", "past half its life: rotation may be stuck"],
    [19, "critical", "past three quarters of its life: Talos should have rotated it long ago"],
    [25, "critical", "expired"],
  ] as const)("a Talos-rotated 24 h leaf issued %d h ago is %s", (age, tier, note) => {
    const a = assessCert({ kind: "leaf", rotatesAtHalfLife: true, notBefore: hoursAgo(age), notAfter: inHours(24 - age) }, now);
    expect(a.tier).toBe(tier);
    expect(a.note).toBe(note);
  });

  it("uses the day thresholds for client certificates and CAs", () => {
    const year = (d: number) => ({ notBefore: hoursAgo(24 * (365 - d)), notAfter: inDays(d) });
    expect(assessCert({ kind: "client", rotatesAtHalfLife: false, ...year(5) }, now)).toEqual({ tier: "warning", daysLeft: 5, note: null });
    expect(assessCert({ kind: "client", rotatesAtHalfLife: false, ...year(0.5) }, now).tier).toBe("critical");
    expect(assessCert({ kind: "ca", rotatesAtHalfLife: false, ...year(200) }, now).tier).toBe("notice");
    expect(assessCert({ kind: "ca", rotatesAtHalfLife: true, ...year(200) }, now).tier).toBe("notice");
    expect(assessCert({ kind: "ca", rotatesAtHalfLife: false, notBefore: hoursAgo(1), notAfter: inDays(-1) }, now)).toMatchObject({ tier: "critical", note: "expired" });
  });

  it("flags a certificate that is not valid yet", () => {
    const a = assessCert({ kind: "leaf", rotatesAtHalfLife: true, notBefore: inHours(2), notAfter: inHours(26) }, now);
    expect(a.tier).toBe("warning");
    expect(a.note).toMatch(/not valid yet/);
  });
});

describe("compareUrgency", () => {
  it("sorts by tier, then by the nearest expiry", () => {
    const rows = [
      { id: "a", tier: "ok", notAfter: "2026-12-01T00:00:00Z" },
      { id: "b", tier: "critical", notAfter: "2027-01-01T00:00:00Z" },
      { id: "c", tier: "critical", notAfter: "2026-11-27T00:00:00Z" },
      { id: "d", tier: "notice", notAfter: "2026-12-20T00:00:00Z" },
    ] as const;
    expect([...rows].sort(compareUrgency).map((r) => r.id)).toEqual(["c", "b", "d", "a"]);
  });
});
