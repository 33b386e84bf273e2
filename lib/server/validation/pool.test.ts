import { Worker } from "node:worker_threads";

import { afterAll, describe, expect, it, vi } from "vitest";

import { MAX_ISSUES } from "@/lib/config/bound";
import { isAppError } from "@/lib/server/errors";

import { ValidationPool } from "./pool";

/** A config whose validation takes a while (hundreds of milliseconds): 60,000 unknown keys. */
const slow = `machine:\n${Array.from({ length: 60_000 }, (_, i) => `  k${i}: 1\n`).join("")}`;

describe("ValidationPool", () => {
  // A generous budget: only the test about budgets may depend on how fast this machine is.
  const pool = new ValidationPool({ size: 1, budgetMs: 60_000 });
  afterAll(() => pool.close());

  it("validates in a worker thread, under the result ceiling", async () => {
    const r = await pool.validate("machine:\n  foo: 1\n", { talosVersion: "1.13", patch: true });
    expect(r).toMatchObject({ valid: false, talosVersion: "1.13", truncated: false, issueCount: 1 });
    expect(r.issues).toEqual([expect.objectContaining({ message: "unknown key `foo`", line: 2, column: 3 })]);
  });

  it("keeps at most MAX_ISSUES issues and says so", async () => {
    const r = await pool.validate(slow, { patch: true });
    expect(r.issueCount).toBe(60_000);
    expect(r.issues).toHaveLength(MAX_ISSUES);
    expect(r.truncated).toBe(true);
    expect(r.valid).toBe(false);
  });

  it("diffs in a worker too", async () => {
    const d = await pool.redactedDiff("machine:\n  type: worker\n", "machine:\n  type: controlplane\n");
    expect(d.unchanged).toBe(false);
    expect(d.diff).toContain("+  type: controlplane");
  });

  it("leaves the event loop free while a worker validates", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = pool.validate(slow, { patch: true });
    // A timer set after the job started fires before the job is done: the main thread is free.
    const firedFirst = await Promise.race([new Promise((resolve) => setTimeout(() => resolve("timer"), 0)), started.then(() => "validation")]);
    await started;
    clearInterval(timer);
    expect(firedFirst).toBe("timer");
    expect(ticks).toBeGreaterThan(0);
  });

  it("turns a job over its budget into too_complex, replaces the worker and goes on", async () => {
    const before = pool.stats().replaced;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const error = await pool.validate(slow, { patch: true }, { budgetMs: 1 }).catch((e: unknown) => e);
    clearInterval(timer);
    expect(isAppError(error) && error.code).toBe("too_complex");
    expect((error as Error).message).toMatch(/took longer than 0.001 s/);
    expect(pool.stats().replaced).toBe(before + 1);
    expect(ticks).toBeGreaterThan(0);
    // The replacement answers the next job.
    const r = await pool.validate("machine:\n  type: worker\n", { patch: true });
    expect(r.valid).toBe(true);
  });

  it("turns a job that exhausts the worker's heap into too_complex, and goes on", async () => {
    const tight = new ValidationPool({ size: 1, heapMb: 32, budgetMs: 60_000 });
    try {
      const big = `machine:\n${Array.from({ length: 150_000 }, (_, i) => `  k${i}: 1\n`).join("")}`;
      const error = await tight.validate(big, { patch: true }).catch((e: unknown) => e);
      expect(isAppError(error) && error.code).toBe("too_complex");
      expect((error as Error).message).toMatch(/too much memory/);
      expect((await tight.validate("machine:\n  type: worker\n", { patch: true })).valid).toBe(true);
    } finally {
      await tight.close();
    }
  });

  it("refuses jobs beyond the queue limit instead of queueing without end", async () => {
    const small = new ValidationPool({ size: 1, maxQueue: 2 });
    try {
      const jobs = Array.from({ length: 4 }, () => small.validate("machine:\n  type: worker\n", { patch: true }).then(() => "ok", (e: unknown) => (isAppError(e) ? e.code : String(e))));
      expect((await Promise.all(jobs)).sort()).toEqual(["ok", "ok", "rate_limited", "rate_limited"]);
    } finally {
      await small.close();
    }
  });

  it("refuses the queued jobs with a 500, once, when the worker cannot start", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    let spawned = 0;
    const broken = new ValidationPool({
      size: 1,
      spawn: () => {
        spawned++;
        return new Worker("throw new Error('cannot load the validator')", { eval: true });
      },
    });
    try {
      const codes = await Promise.all([1, 2, 3].map(() => broken.validate("machine: {}\n").then(() => "ok", (e: unknown) => (isAppError(e) ? e.code : String(e)))));
      expect(codes).toEqual(["internal", "internal", "internal"]);
      // One start per burst, not a spin: the next request tries again.
      expect(spawned).toBe(1);
      expect(logged).toHaveBeenCalledWith("[minos] the config validation worker failed to start", expect.any(Error));
    } finally {
      logged.mockRestore();
      await broken.close();
    }
  });
});
