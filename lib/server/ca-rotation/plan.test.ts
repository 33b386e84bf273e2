import { describe, expect, it } from "vitest";

import { planSteps, talosSwapStarted, wayBack } from "./plan";
import { kubeletRestartedSince, lastEventAt } from "./steps";

const nodes = [
  { address: "10.0.0.2", hostname: "cp-1", role: "controlplane" as const },
  { address: "10.0.0.5", hostname: "w-1", role: "worker" as const },
];
const plan = planSteps({ talos: true, kubernetes: true, nodes, replaceTalosconfig: true });
/** The plan with the steps before `index` done, `index` in `state`, the rest skipped. */
const stoppedAt = (index: number, state: "failed" | "done" = "failed") =>
  plan.map((s) => ({ ...s, state: s.index < index ? "done" : s.index === index ? state : "skipped", startedAt: s.index <= index ? "2026-12-06T17:00:00.000Z" : null }));

describe("CA rotation plan", () => {
  it("replaces Minos's talosconfig right after the Talos part is verified, before any Kubernetes step (rotate-ca saves it then)", () => {
    const at = plan.findIndex((s) => s.kind === "replace-talosconfig");
    expect(plan[at - 1]).toMatchObject({ api: "talos", kind: "verify-final" });
    expect(plan[at + 1]).toMatchObject({ api: "kubernetes", kind: "verify-existing" });
    expect(plan.map((s) => s.index)).toEqual(plan.map((_, i) => i));
  });

  it("the way back says which talosconfig works where", () => {
    const swap = plan.find((s) => s.api === "talos" && s.kind === "swap")!.index;
    expect(wayBack(stoppedAt(swap))).toMatch(/old talosconfig \(Minos's own too\) works only on the nodes not yet swapped; a talosconfig of the new CA can be downloaded/);
    expect(talosSwapStarted(stoppedAt(swap))).toBe(true);
    expect(talosSwapStarted(stoppedAt(swap - 1))).toBe(false);

    const drop = plan.find((s) => s.api === "talos" && s.kind === "drop")!.index;
    expect(wayBack(stoppedAt(drop))).toMatch(/The old talosconfig no longer works/);

    // The Talos part done and Minos's talosconfig replaced, the Kubernetes part failed at its start.
    const kube = plan.find((s) => s.api === "kubernetes")!.index;
    const text = wayBack(stoppedAt(kube))!;
    expect(text).toContain("Talos API: the rotation is complete, every node trusts only the new CA. Minos's talosconfig was replaced with the new one.");
    expect(text).not.toMatch(/Kubernetes API/);

    // Replacing Minos's talosconfig failed: it says so, and how to get the cluster back.
    const replace = plan.find((s) => s.kind === "replace-talosconfig")!.index;
    expect(wayBack(stoppedAt(replace))).toMatch(/Minos's talosconfig still holds the old CA, which no node accepts any more: a talosconfig of the new CA can be downloaded from this page; upload it/);
  });

  it("a kubelet restart is an event after the patch in another state than Running", () => {
    const svc = (events: { state: string; ts: number }[]) => [{ id: "kubelet", state: "Running", events: events.map((e) => ({ msg: "", state: e.state, ts: new Date(e.ts) })) }];
    const before = svc([
      { state: "Preparing", ts: 1000 },
      { state: "Running", ts: 2000 },
    ]);
    const since = lastEventAt(before);
    expect(since).toBe(2000);
    expect(kubeletRestartedSince(before, since)).toBe(false);
    // Only a health change since: no restart.
    expect(kubeletRestartedSince(svc([{ state: "Running", ts: 1000 }, { state: "Running", ts: 3000 }]), since)).toBe(false);
    // Stopped and already running again by the first look: a restart.
    expect(kubeletRestartedSince(svc([{ state: "Running", ts: 2000 }, { state: "Stopping", ts: 3000 }, { state: "Finished", ts: 3100 }, { state: "Running", ts: 3500 }]), since)).toBe(true);
    expect(kubeletRestartedSince([], since)).toBe(false);
  });
});
