import { describe, expect, it } from "vitest";

import { computeProgress, formatDuration, type ProgressNode } from "./progress";

describe("computeProgress", () => {
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const at = (s: number) => new Date(t0 + s * 1000).toISOString();
  const node = (role: "controlplane" | "worker", batch: number, state: string, start?: number, end?: number): ProgressNode => ({ role, batch, state, startedAt: start === undefined ? null : at(start), finishedAt: end === undefined ? null : at(end) });

  it("has no ETA before a node finished", () => {
    expect(computeProgress([node("controlplane", 0, "installing", 0), node("worker", 1, "pending")], t0 + 5000)).toMatchObject({ done: 0, inFlight: 1, percent: 0, etaSeconds: null });
  });

  it("estimates remaining batches from observed durations, crediting the batch in flight", () => {
    const nodes = [
      node("controlplane", 0, "done", 0, 100),
      node("controlplane", 1, "waiting-healthy", 100),
      node("worker", 2, "pending"),
      node("worker", 2, "pending"),
      node("worker", 3, "pending"),
    ];
    // cp batch in flight 30 s of ~100; two worker batches at the control-plane mean (no worker yet).
    expect(computeProgress(nodes, t0 + 130_000)).toEqual({ total: 5, done: 1, skipped: 0, failed: 0, inFlight: 1, percent: 20, etaSeconds: 70 + 100 + 100 });
  });

  it("uses the workers' own mean once one finished", () => {
    const nodes = [node("controlplane", 0, "done", 0, 100), node("worker", 1, "done", 100, 120), node("worker", 2, "pending")];
    expect(computeProgress(nodes, t0 + 120_000).etaSeconds).toBe(20);
  });

  it("a halted plan: skipped and failed nodes are not done, and nothing is left to wait for", () => {
    expect(computeProgress([node("worker", 0, "done", 0, 10), node("worker", 1, "failed", 10, 20), node("worker", 2, "skipped"), node("worker", 3, "skipped")], t0)).toMatchObject({ done: 1, skipped: 2, failed: 1, percent: 25, etaSeconds: 0 });
  });

  it.each([
    [12, "12 s"],
    [250, "4 min 10 s"],
    [3900, "1 h 5 min"],
  ])("formatDuration(%d) = %s", (s, out) => expect(formatDuration(s)).toBe(out));
});
