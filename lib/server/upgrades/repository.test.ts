/**
 * The upgrade store on both stores: a plan and its nodes round-trip, the list is newest first,
 * node steps stamp their times once and keep the last 50 messages, and a plan's state keeps its
 * first start and finish times.
 */
import { describe, expect, it } from "vitest";

import { testDb } from "@/test/db";
import { preview } from "@/test/upgrades/preview";

import { UpgradeRepository } from "./repository";

const T0 = Date.parse("2026-12-06T10:00:00.000Z");

describe("UpgradeRepository", () => {
  it("stores a plan with its nodes, pending, and reads it back", async () => {
    const repo = new UpgradeRepository(await testDb());
    await repo.insertPlan({ id: "p1", actor: "ada", preview: preview("lab", 3), etcdMembers: 3, now: T0 });
    const plan = (await repo.getPlan("p1", T0))!;
    expect(plan).toMatchObject({ id: "p1", cluster: "lab", state: "pending", actor: "ada", reason: null, createdAt: "2026-12-06T10:00:00.000Z", startedAt: null, finishedAt: null });
    expect(plan.strategy.maxParallelWorkers).toBe(1);
    expect(plan.checks).toEqual([{ level: "warn", code: "etcd", message: "etcd: one member is slow" }]);
    expect(plan.nodes.map((n) => [n.address, n.role, n.state, n.alreadyOnTarget, n.attempts, n.messages.length])).toEqual([
      ["10.5.0.2", "controlplane", "pending", false, 0, 0],
      ["10.5.0.3", "worker", "pending", false, 0, 0],
      ["10.5.0.4", "worker", "pending", true, 0, 0],
    ]);
    expect(await repo.getPlanEtcdMembers("p1")).toBe(3);
    expect(await repo.getPlan("nope", T0)).toBeNull();
    expect(await repo.getPlanState("nope")).toBeNull();
  });

  it("lists plans newest first, by cluster, and the live ones oldest first", async () => {
    const repo = new UpgradeRepository(await testDb());
    await repo.insertPlan({ id: "a", actor: "x", preview: preview("lab"), etcdMembers: null, now: T0 });
    await repo.insertPlan({ id: "b", actor: "x", preview: preview("edge"), etcdMembers: null, now: T0 + 1000 });
    await repo.insertPlan({ id: "c", actor: "x", preview: preview("lab"), etcdMembers: null, now: T0 + 2000 });
    await repo.setPlanState("a", { state: "succeeded", finished: true, now: T0 + 3000 });
    expect((await repo.listPlans({ limit: 10, now: T0 })).map((p) => p.id)).toEqual(["c", "b", "a"]);
    expect((await repo.listPlans({ cluster: "lab", limit: 1, now: T0 })).map((p) => p.id)).toEqual(["c"]);
    expect(await repo.listPlanIdsInStates(["pending", "running"])).toEqual([
      { id: "b", cluster: "edge", state: "pending" },
      { id: "c", cluster: "lab", state: "pending" },
    ]);
    expect(await repo.listPlanIdsInStates(["pending"], { cluster: "lab" })).toEqual([{ id: "c", cluster: "lab", state: "pending" }]);
    expect(await repo.listPlanIdsInStates([])).toEqual([]);
  });

  it("a plan's state keeps its first start and finish, and its reason unless given a new one", async () => {
    const repo = new UpgradeRepository(await testDb());
    await repo.insertPlan({ id: "p", actor: "x", preview: preview(), etcdMembers: null, now: T0 });
    await repo.setPlanState("p", { state: "running", started: true, now: T0 + 1000 });
    await repo.setPlanState("p", { state: "paused", reason: "paused by ada", now: T0 + 2000 });
    await repo.setPlanState("p", { state: "running", started: true, now: T0 + 3000 });
    expect(await repo.getPlan("p", T0)).toMatchObject({ state: "running", reason: "paused by ada", startedAt: "2026-12-06T10:00:01.000Z", updatedAt: "2026-12-06T10:00:03.000Z" });
    await repo.clearPlanReason("p");
    await repo.setPlanState("p", { state: "failed", reason: "cp-1: down", finished: true, now: T0 + 4000 });
    await repo.setPlanState("p", { state: "failed", finished: true, now: T0 + 5000 });
    expect(await repo.getPlan("p", T0)).toMatchObject({ state: "failed", reason: "cp-1: down", finishedAt: "2026-12-06T10:00:04.000Z" });
  });

  it("node steps: state and its time, first start, attempts, boot id, error, and the last 50 messages", async () => {
    const repo = new UpgradeRepository(await testDb());
    await repo.insertPlan({ id: "p", actor: "x", preview: preview(), etcdMembers: null, now: T0 });
    const id = "10.5.0.2@lab";
    await repo.updateNode("p", id, { state: "pulling", started: true, attempt: true, bootIdBefore: "boot-1", message: "pulling", now: T0 + 1000 });
    await repo.updateNode("p", id, { state: "installing", started: true, attempt: true, now: T0 + 2000 });
    for (let i = 0; i < 60; i++) await repo.updateNode("p", id, { message: `line ${i}`, now: T0 + 3000 + i });
    await repo.updateNode("p", id, { state: "failed", finished: true, error: "installer exited 1", now: T0 + 9000 });
    const node = (await repo.getPlanNodes("p"))[0]!;
    expect(node).toMatchObject({
      state: "failed",
      startedAt: "2026-12-06T10:00:01.000Z",
      stateChangedAt: "2026-12-06T10:00:09.000Z",
      finishedAt: "2026-12-06T10:00:09.000Z",
      attempts: 2,
      bootIdBefore: "boot-1",
      error: "installer exited 1",
    });
    expect(node.messages).toHaveLength(50);
    expect(node.messages[0]!.text).toBe("line 10");
    expect(node.messages.at(-1)).toEqual({ at: "2026-12-06T10:00:03.059Z", text: "line 59" });
    expect((await repo.getPlan("p", T0))!.updatedAt).toBe("2026-12-06T10:00:09.000Z");
    await expect(repo.updateNode("p", "nope@lab", { message: "x", now: T0 })).rejects.toThrow(/no node nope@lab/);
  });
});
