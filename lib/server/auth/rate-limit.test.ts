import { describe, expect, it } from "vitest";

import { RateLimiter } from "@/lib/server/auth/rate-limit";

describe("RateLimiter", () => {
  const policy = { capacity: 3, refillPerSecond: 1 / 10 };

  it("allows a burst, refuses the next with a retry time, and refills over time", () => {
    const l = new RateLimiter();
    for (let i = 0; i < 3; i++) expect(l.take("ip|/x", policy, 0).ok).toBe(true);
    expect(l.take("ip|/x", policy, 0)).toEqual({ ok: false, retryAfterSeconds: 10 });
    expect(l.take("ip|/x", policy, 9_000).ok).toBe(false);
    expect(l.take("ip|/x", policy, 10_001).ok).toBe(true);
  });

  it("keeps buckets apart per key", () => {
    const l = new RateLimiter();
    for (let i = 0; i < 3; i++) l.take("a", policy, 0);
    expect(l.take("a", policy, 0).ok).toBe(false);
    expect(l.take("b", policy, 0).ok).toBe(true);
  });

  it("peeks without taking", () => {
    const l = new RateLimiter();
    for (let i = 0; i < 3; i++) {
      expect(l.peek("a", policy, 0)).toBe(true);
      l.take("a", policy, 0);
    }
    expect(l.peek("a", policy, 0)).toBe(false);
  });

  it("forgets the least recently used keys beyond its size", () => {
    const l = new RateLimiter(2);
    for (let i = 0; i < 3; i++) l.take("a", policy, 0);
    l.take("b", policy, 0);
    l.take("c", policy, 0); // evicts "a", whose bucket was empty
    expect(l.take("a", policy, 0).ok).toBe(true);
  });
});

describe("requireRole and mayRevealSecrets", async () => {
  const { requireRole, mayRevealSecrets } = await import("@/lib/server/auth/guard");
  const op = { kind: "user" as const, id: "u", name: "otto", role: "operator" as const, label: "user:otto" };
  it("let per-action checks refuse with the same message as the wrapper", () => {
    expect(requireRole(op, "operator")).toBe(op);
    expect(() => requireRole(op, "admin")).toThrow("This needs the Admin role; user:otto is Operator");
    expect(() => requireRole(null, "viewer")).toThrow(/Sign in first/);
  });
  it("reveal secrets to admins who ask, only", () => {
    expect(mayRevealSecrets(op, true)).toBe(false);
    expect(mayRevealSecrets({ ...op, role: "admin" }, true)).toBe(true);
    expect(mayRevealSecrets({ ...op, role: "admin" }, false)).toBe(false);
  });
});
