import { describe, expect, it } from "vitest";

import type { PlanResponse } from "@/lib/schemas/manifests";

import { applyBlocker, manifestNodes, planSummaryText } from "./manifest-model";

function plan(summary: Partial<PlanResponse["summary"]>): PlanResponse {
  return { planId: "p", cluster: "c", baseRevision: 1, mode: "auto", createdAt: "2026-01-01T00:00:00Z", summary: { none: 0, update: 0, reboot: 0, refused: 0, unreachable: 0, ...summary }, nodes: [] };
}

describe("applyBlocker", () => {
  it("blocks while any node is refused or unreachable, naming how many", () => {
    expect(applyBlocker(plan({ update: 2, refused: 1 }), false)).toMatch(/1 node refuses/);
    expect(applyBlocker(plan({ unreachable: 2 }), false)).toMatch(/2 nodes are unreachable/);
  });
  it("blocks a plan of another text", () => {
    expect(applyBlocker(plan({ update: 2 }), true)).toMatch(/plan again/);
  });
  it("lets a clean, current plan through", () => {
    expect(applyBlocker(plan({ update: 2, none: 3 }), false)).toBeNull();
  });
});

describe("planSummaryText", () => {
  it("says what changes and whether it reboots", () => {
    expect(planSummaryText(plan({ update: 2, none: 3 }))).toBe("2 to update without a reboot, 3 unchanged");
    expect(planSummaryText(plan({ update: 1, reboot: 1, refused: 1 }))).toBe("1 to update (1 with a reboot), 1 refused");
  });
});

describe("manifestNodes", () => {
  it("lists the nodes of a manifest text, and null when it does not parse", () => {
    expect(manifestNodes("nodes:\n  - {address: 10.0.0.2, hostname: w-1, role: worker}\n  - {address: 10.0.0.3}\n")).toEqual([
      { address: "10.0.0.2", hostname: "w-1", role: "worker" },
      { address: "10.0.0.3", hostname: "10.0.0.3", role: "?" },
    ]);
    expect(manifestNodes("nodes: [")).toBeNull();
  });
});
