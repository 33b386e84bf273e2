import { describe, expect, it } from "vitest";

import { MINOS_CORDONED_ANNOTATION, UNCORDON_AFTER_BOOT_ANNOTATION, type KubeApi, type KubeNode } from "./types";
import { sweepUncordonAfterBoot, type UncordonSweepDeps } from "./uncordon-sweep";

const node = (name: string, over: Partial<KubeNode> = {}): KubeNode => ({
  name,
  internalIPs: [`10.0.0.${name.length}`],
  unschedulable: true,
  annotations: { [MINOS_CORDONED_ANNOTATION]: "2026-01-01T00:00:00Z", [UNCORDON_AFTER_BOOT_ANNOTATION]: "boot-1" },
  ready: true,
  readyReason: null,
  kubeletVersion: "v1.34.1",
  ...over,
});

function fakeApi() {
  const patches: { name: string; unschedulable: boolean; annotations: Record<string, string | null> }[] = [];
  const api = {
    async setUnschedulable(name: string, unschedulable: boolean, annotations: Record<string, string | null>) {
      patches.push({ name, unschedulable, annotations });
      return node(name, { unschedulable });
    },
  } as unknown as KubeApi;
  return { api, patches };
}

/** Every node booted since "boot-1" except those listed as still on it. */
const boots = (sameBoot: string[] = []): UncordonSweepDeps & { asked: string[] } => {
  const asked: string[] = [];
  return {
    asked,
    bootedSince: async (_cluster, address, before) => {
      asked.push(address);
      if (address === "down") throw new Error("connection refused");
      return !(sameBoot.includes(address) && before === "boot-1");
    },
  };
};

describe("sweepUncordonAfterBoot", () => {
  it("uncordons a Node Minos cordoned once its Talos node booted again and it is Ready, and removes both marks", async () => {
    const { api, patches } = fakeApi();
    const done = await sweepUncordonAfterBoot(api, "c", [node("w1")], [{ address: "a1", hostname: "w1", running: true }], boots());
    expect(done).toEqual(["w1"]);
    expect(patches).toEqual([{ name: "w1", unschedulable: false, annotations: { [MINOS_CORDONED_ANNOTATION]: null, [UNCORDON_AFTER_BOOT_ANNOTATION]: null } }]);
  });

  it("leaves a Node that has not rebooted yet, is not Ready, or whose Talos node is not running; unmarked Nodes are not asked about", async () => {
    const { api, patches } = fakeApi();
    const deps = boots(["a1"]);
    const done = await sweepUncordonAfterBoot(
      api,
      "c",
      [node("w1"), node("w2", { ready: false }), node("w3"), node("w4", { annotations: { [MINOS_CORDONED_ANNOTATION]: "x" } })],
      [
        { address: "a1", hostname: "w1" },
        { address: "a2", hostname: "w2", running: true },
        { address: "a3", hostname: "w3", running: false },
        { address: "a4", hostname: "w4", running: true },
      ],
      deps,
    );
    expect(done).toEqual([]);
    expect(patches).toEqual([]);
    expect(deps.asked).toEqual(["a1"]);
  });

  it("a person's cordon stays: only the mark goes", async () => {
    const { api, patches } = fakeApi();
    const theirs = node("w1", { annotations: { [UNCORDON_AFTER_BOOT_ANNOTATION]: "boot-1" } });
    await sweepUncordonAfterBoot(api, "c", [theirs], [{ address: "a1", hostname: "w1", running: true }], boots());
    expect(patches).toEqual([{ name: "w1", unschedulable: true, annotations: { [UNCORDON_AFTER_BOOT_ANNOTATION]: null } }]);
  });

  it("a node that does not answer is tried at the next sweep; the others go on", async () => {
    const { api, patches } = fakeApi();
    const done = await sweepUncordonAfterBoot(api, "c", [node("w1"), node("w2")], [{ address: "down", hostname: "w1" }, { address: "a2", hostname: "w2" }], boots());
    expect(done).toEqual(["w2"]);
    expect(patches.map((p) => p.name)).toEqual(["w2"]);
  });
});
