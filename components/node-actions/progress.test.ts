import { describe, expect, it } from "vitest";

import { advance, finished, phaseText, type Observed, type Tracking } from "@/components/node-actions/progress";

const up = (bootId = "b1"): Observed => ({ reachable: true, stage: "running", bootId });
const down: Observed = { reachable: false, stage: "running", bootId: "b1" };
const rebooting: Observed = { reachable: true, stage: "rebooting", bootId: "b1" };
const start = (kind: Tracking["kind"], reboots = false): Tracking => ({ kind, reboots, bootIdBefore: "b1", phase: "sent" });
const run = (t: Tracking, seen: Observed[]) => seen.reduce(advance, t);

describe("a node action's progress from the live fleet snapshot", () => {
  it("reboot: sent → down → back only on a new boot", () => {
    expect(run(start("reboot"), [up()]).phase).toBe("sent");
    expect(run(start("reboot"), [up(), rebooting]).phase).toBe("down");
    expect(run(start("reboot"), [rebooting, down, up("b1")]).phase).toBe("down");
    const back = run(start("reboot"), [rebooting, down, up("b2")]);
    expect(back.phase).toBe("back");
    expect(finished(back)).toBe(true);
  });

  it("a reboot so fast that the page never saw it down: a new boot id is enough", () => {
    expect(run(start("reboot"), [up("b2"), up("b2")]).phase).toBe("back");
  });

  it("a boot-time identity cannot be compared: back once seen down then running", () => {
    const t = { ...start("reboot"), bootIdBefore: "boot-time:123" };
    expect(run(t, [up("x")]).phase).toBe("sent");
    expect(run(t, [down, up("x")]).phase).toBe("back");
  });

  it("shutdown: sent → down → off; never back", () => {
    const t = run(start("shutdown"), [{ reachable: true, stage: "shutting_down", bootId: "b1" }, down]);
    expect(t.phase).toBe("off");
    expect(run(t, [up("b2")]).phase).toBe("off");
  });

  it("reset: halts (off) or reboots into maintenance", () => {
    expect(run(start("reset"), [{ reachable: true, stage: "resetting", bootId: "b1" }, down]).phase).toBe("off");
    expect(run(start("reset", true), [{ reachable: true, stage: "resetting", bootId: "b1" }, down, { reachable: true, stage: "maintenance", bootId: null }]).phase).toBe("maintenance");
  });

  it("says where it is in words", () => {
    expect(phaseText(start("reboot"), "w-1")).toBe("Reboot accepted: waiting for w-1 to go down");
    expect(phaseText({ ...start("shutdown"), phase: "off" }, "w-1")).toBe("w-1 is powered off: it stays off until it is powered on");
  });
});
