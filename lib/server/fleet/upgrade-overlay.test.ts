import { afterEach, describe, expect, it } from "vitest";

import type { ClusterUpgradeProgress, UpgradePlan } from "@/lib/schemas/upgrades";
import { publish } from "@/lib/server/platform/events";

import { followUpgrades, upgradeProgress } from "./upgrade-overlay";

const plan = (state: UpgradePlan["state"], nodes: string[]): UpgradePlan =>
  ({ id: "p1", cluster: "prod", state, nodes: nodes.map((s) => ({ state: s })) }) as unknown as UpgradePlan;

let stop = () => {};
afterEach(() => stop());

describe("upgrade overlay", () => {
  it("shows a live plan as done/total and an ended one as nothing", () => {
    expect(upgradeProgress(plan("running", ["done", "installing", "pending"]))).toEqual({ planId: "p1", state: "running", total: 3, done: 1 });
    expect(upgradeProgress(plan("paused", []))).toEqual({ planId: "p1", state: "paused", total: 0, done: 0 });
    for (const ended of ["succeeded", "failed", "cancelled"] as const) expect(upgradeProgress(plan(ended, ["done"]))).toBeNull();
  });

  it("follows the runner's upgrade events on the bus", () => {
    const seen: [string, ClusterUpgradeProgress | null][] = [];
    stop = followUpgrades({ setClusterUpgrade: (cluster, progress) => void seen.push([cluster, progress]) });
    publish("upgrade", { type: "upgrade", plan: plan("running", ["done", "pending"]) });
    publish("upgrade", { type: "upgrade", plan: plan("succeeded", ["done", "done"]) });
    expect(seen).toEqual([
      ["prod", { planId: "p1", state: "running", total: 2, done: 1 }],
      ["prod", null],
    ]);
  });
});
