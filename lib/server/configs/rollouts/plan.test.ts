import { describe, expect, it } from "vitest";

import { nextToStart, orderTargets, settledState, type PlanNode, type PlanRollout } from "./plan";

const run = (p: Partial<PlanRollout> = {}): PlanRollout => ({ state: "running", concurrency: 2, continueOnFailure: false, failuresAllowed: 0, ...p });
const nodes = (spec: string): PlanNode[] =>
  spec.split(" ").map((s, i) => {
    const [role, state] = s.split(":") as ["c" | "w", string];
    const full: Record<string, PlanNode["state"]> = { o: "preflight-ok", a: "applying", h: "waiting-healthy", d: "done", f: "failed", s: "skipped" };
    return { id: `${role}${i}`, role: role === "c" ? "controlplane" : "worker", state: full[state]! };
  });

describe("rollout planner", () => {
  it("orders control planes before workers, keeping the given order within each", () => {
    expect(orderTargets([{ role: "worker", n: 1 }, { role: "controlplane", n: 2 }, { role: "worker", n: 3 }, { role: "controlplane", n: 4 }]).map((x) => x.n)).toEqual([2, 4, 1, 3]);
  });

  it.each([
    ["c:o c:o w:o w:o", 2, ["c0"]],
    ["c:a c:o w:o w:o", 2, []],
    ["c:h c:o w:o", 4, []],
    ["c:d c:o w:o w:o", 4, ["c1"]],
    ["c:d c:d w:o w:o w:o", 2, ["w2", "w3"]],
    ["c:d w:a w:o w:o", 2, ["w2"]],
    ["c:d w:a w:h w:o", 2, []],
    ["w:d w:o w:o w:o", 8, ["w1", "w2", "w3"]],
  ] as const)("%s with concurrency %i starts %j", (spec, concurrency, expected) => {
    expect(nextToStart(run({ concurrency }), nodes(spec))).toEqual(expected);
  });

  it("stops at a failure unless told to continue or the operator resumed past it", () => {
    const n = nodes("w:d w:f w:o w:o");
    expect(nextToStart(run(), n)).toEqual([]);
    expect(settledState(run(), n)).toBe("failed");
    expect(nextToStart(run({ continueOnFailure: true }), n)).toEqual(["w2", "w3"]);
    expect(nextToStart(run({ failuresAllowed: 1 }), n)).toEqual(["w2", "w3"]);
    expect(nextToStart(run({ failuresAllowed: 1 }), nodes("w:f w:f w:o"))).toEqual([]);
  });

  it("starts nothing while paused or cancelled", () => {
    expect(nextToStart(run({ state: "paused" }), nodes("w:o"))).toEqual([]);
    expect(nextToStart(run({ state: "cancelled" }), nodes("w:o"))).toEqual([]);
  });

  it.each([
    ["w:d w:d", "done"],
    ["w:d w:a", "running"],
    ["w:d w:f", "failed"],
    ["c:d w:o", "running"],
    ["w:d w:s", "done"],
  ] as const)("%s settles as %s", (spec, state) => {
    expect(settledState(run(), nodes(spec))).toBe(state);
  });

  it("continueOnFailure finishes the others and reports the rollout failed", () => {
    expect(settledState(run({ continueOnFailure: true }), nodes("w:f w:d w:d"))).toBe("failed");
  });
});
