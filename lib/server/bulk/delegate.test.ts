/**
 * apply-patch on a selection goes through a config rollout: each node's running config patched
 * and checked on its node first; one refusal and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { RolloutRepository } from "@/lib/server/configs/rollouts/repo";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";

import { startPatchRollout } from "./delegate";

let t: ConfigTestFleet;
beforeAll(async () => {
  t = await startConfigTestFleet({ firstAddress: "127.0.221.1", controlPlanes: 1, workers: 2 });
});
afterAll(async () => {
  await t?.stop();
});

const workers = () => t.fleet.nodes.filter((n) => n.role === "worker").map((n) => ({ id: t.idOf(n.address), role: "worker" as const }));

describe("apply-patch through a config rollout", () => {
  it("writes a rollout whose every node carries its own running config with the patch, checked on the node", async () => {
    const patch = 'machine:\n  sysctls:\n    vm.max_map_count: "262144"\n';
    const id = await startPatchRollout(t.deps, { cluster: t.fleet.clusters[0]!, patch, mode: "no-reboot", nodes: workers(), concurrency: 2 }, "user:ada", { runner: null });
    const repo = new RolloutRepository(t.deps.db, t.deps.box);
    const r = await repo.getOrThrow(id);
    expect(r.state).toBe("running");
    expect(r.nodes.map((n) => [n.id, n.state])).toEqual(workers().map((w) => [w.id, "preflight-ok"]));
    for (const w of workers()) {
      const config = await repo.nodeConfig(id, w.id);
      expect(config).toContain("vm.max_map_count");
      // Its own config: the node's hostname stays.
      const host = t.fleet.nodes.find((n) => t.idOf(n.address) === w.id)!.hostname;
      expect(config).toContain(host);
    }
    expect(r.yaml).toContain("vm.max_map_count");
  });

  it("refuses with each node's reason and writes nothing when the patched config is refused", async () => {
    const before = (await new RolloutRepository(t.deps.db, t.deps.box).list(100)).length;
    await expect(
      startPatchRollout(t.deps, { cluster: t.fleet.clusters[0]!, patch: "machine:\n  type: nonsense\n", mode: "no-reboot", nodes: workers(), concurrency: 1 }, "user:ada", { runner: null }),
    ).rejects.toMatchObject({ code: "invalid_config", message: expect.stringMatching(/^The patch was refused on 2 of 2 nodes; nothing was applied: /) });
    await expect(startPatchRollout(t.deps, { cluster: t.fleet.clusters[0]!, patch: "- op: bogus\n", mode: "no-reboot", nodes: workers(), concurrency: 1 }, "user:ada", { runner: null })).rejects.toMatchObject({
      code: "invalid_config",
    });
    expect((await new RolloutRepository(t.deps.db, t.deps.box).list(100)).length).toBe(before);
  });
});
