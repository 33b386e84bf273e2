import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { listAudit } from "@/lib/server/platform/audit";
import { configHash } from "@/lib/server/configs/modes";
import { RolloutRunner } from "@/lib/server/configs/rollouts/runner";
import { getRollout, insertPlannedRollout, kickRollout, listRollouts } from "@/lib/server/configs/rollouts/service";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";
import { withHostname } from "@/test/talos/fleet";

const USER = "test user";
let t: ConfigTestFleet;
let runner: RolloutRunner;
let cluster: string;

const appliesByNode = (since: number) => {
  const counts: Record<string, number> = {};
  for (const e of t.fleet.timeline()) if (e.event === "apply" && e.time >= since) counts[e.node] = (counts[e.node] ?? 0) + 1;
  return counts;
};

beforeAll(async () => {
  t = await startConfigTestFleet({ firstAddress: "127.0.171.1", controlPlanes: 2, workers: 3 });
  runner = new RolloutRunner({ deps: t.deps, pollMs: 50, healthTimeoutMs: 5_000 });
  cluster = t.fleet.clusters[0]!;
});
afterAll(async () => {
  await runner?.stop();
  await t?.stop();
});

describe("rollouts of per-node configs", () => {
  it("apply each node its own config, control planes first one at a time, and name the manifest revision", async () => {
    // Each node keeps its own hostname but gets a new one of its own: one shared YAML could not do this.
    const planned = await Promise.all(
      t.ids.map(async (id, i) => ({
        id,
        role: (i < 2 ? "controlplane" : "worker") as "controlplane" | "worker",
        yaml: withHostname(await t.runningConfig(id), `own-${i}`),
        mode: "no-reboot" as const,
        message: "Ready: applies now without a reboot",
      })),
    );
    // Given workers first: the rollout still orders control planes first.
    const given = [...planned.slice(2), ...planned.slice(0, 2)];
    const since = Date.now();
    const id = await t.deps.db.transaction().execute((trx) =>
      insertPlannedRollout(
        t.deps,
        trx,
        { cluster, mode: "auto", concurrency: 2, redactedYaml: "cluster: {name: test}\n", configHash: "manifest-hash", manifestRevision: 7, nodes: given },
        USER,
      ),
    );
    const created = await getRollout(t.deps, id);
    expect(created).toMatchObject({ state: "running", manifestRevision: 7, yaml: "cluster: {name: test}\n", target: { cluster, nodes: t.ids } });
    expect(created.nodes.map((n) => [n.id, n.state])).toEqual(t.ids.map((n) => [n, "preflight-ok"]));

    kickRollout(id, { runner });
    await runner.idle(id);
    const done = await getRollout(t.deps, id);
    expect(done.state).toBe("done");
    expect(done.nodes.every((n) => n.state === "done")).toBe(true);
    // Control planes strictly one after the other, before any worker.
    const [cp1, cp2, ...workers] = done.nodes;
    expect(Date.parse(cp2!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(cp1!.finishedAt!));
    for (const w of workers) expect(Date.parse(w.startedAt!)).toBeGreaterThanOrEqual(Date.parse(cp2!.finishedAt!));

    // Every node runs exactly the config planned for it, applied once.
    for (const p of planned) {
      const running = await t.runningConfig(p.id);
      expect(configHash(running)).toBe(configHash(p.yaml));
    }
    expect(Object.values(appliesByNode(since))).toEqual(t.ids.map(() => 1));
    for (const n of done.nodes) expect(await t.deps.revisions.get(n.id, n.revisionId!)).toMatchObject({ source: "rollout", rolloutId: id, result: "applied" });
    expect((await listRollouts(t.deps)).rollouts.find((r) => r.id === id)?.manifestRevision).toBe(7);
    expect((await listAudit(t.deps.db, { limit: 20 })).some((e) => e.action === "config.rollout.create" && e.target === id)).toBe(true);
  });

  it("does not overwrite a node whose running config changed since its config was checked", async () => {
    const [changed, kept] = [t.ids[2]!, t.ids[3]!];
    const planned = await Promise.all(
      [changed, kept].map(async (id) => {
        const running = await t.runningConfig(id);
        return { id, role: "worker" as const, yaml: withHostname(running, `planned-${t.address(id)}`), mode: "no-reboot" as const, message: "", expectedRunningHash: configHash(running) };
      }),
    );
    const id = await t.deps.db.transaction().execute((trx) =>
      insertPlannedRollout(t.deps, trx, { cluster, mode: "auto", concurrency: 1, redactedYaml: "", configHash: "m", manifestRevision: 8, nodes: planned }, USER),
    );
    // Someone applies another config to the first node after the check, before the rollout reaches it.
    const outside = withHostname(await t.runningConfig(changed), "changed-outside");
    await t.clients.admin.applyConfiguration(t.address(changed), { data: outside, mode: "no-reboot" });
    const since = Date.now();
    kickRollout(id, { runner });
    await runner.idle(id);
    const done = await getRollout(t.deps, id);
    expect(done.state).toBe("failed");
    expect(done.nodes.map((n) => [n.id, n.state])).toEqual([
      [changed, "failed"],
      [kept, "preflight-ok"],
    ]);
    expect(done.nodes[0]!.message).toContain("running config changed since the plan");
    expect(appliesByNode(since)).toEqual({});
    expect(configHash(await t.runningConfig(changed))).toBe(configHash(outside));
  });

  it("is written in the caller's transaction: rolled back with it, nothing left to drive", async () => {
    const yaml = await t.runningConfig(t.ids[2]!);
    let id = "";
    await expect(
      t.deps.db.transaction().execute(async (trx) => {
        id = await insertPlannedRollout(t.deps, trx, { cluster, mode: "auto", concurrency: 1, redactedYaml: "", configHash: "h", manifestRevision: null, nodes: [{ id: t.ids[2]!, role: "worker", yaml, mode: null, message: "" }] }, USER);
        throw new Error("the caller's next write failed");
      }),
    ).rejects.toThrow("the caller's next write failed");
    expect(id).not.toBe("");
    await expect(getRollout(t.deps, id)).rejects.toThrow(/No rollout/);
  });
});
