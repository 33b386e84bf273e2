import { describe, expect, it } from "vitest";

import { testDb } from "@/test/db";

import { buildKubernetesPlan } from "./plan";
import { KubernetesUpgradeRepository } from "./repository";

const T0 = Date.parse("2026-12-06T17:00:00Z");

function preview() {
  return buildKubernetesPlan({
    cluster: "c",
    toVersion: "1.34.1",
    options: { prePullImages: false, upgradeKubelet: true, stepTimeoutSeconds: 300 },
    fromVersion: "1.33.4",
    kubernetesProblem: null,
    removedResources: [],
    nodes: [
      { id: "10.0.0.2@c", address: "10.0.0.2", hostname: "cp-1", role: "controlplane", talosVersion: "v1.13.0", reachable: true, kubeletVersion: "v1.33.4", kubeletImage: null, args: {} },
      { id: "10.0.0.5@c", address: "10.0.0.5", hostname: "w-1", role: "worker", talosVersion: "v1.13.0", reachable: true, kubeletVersion: "v1.33.4", kubeletImage: null, args: {} },
    ],
  });
}

describe("KubernetesUpgradeRepository", () => {
  it("stores a plan with its steps in order, and reads it back with its progress", async () => {
    const repo = new KubernetesUpgradeRepository(await testDb());
    const p = preview();
    await repo.insertPlan({ id: "k1", actor: "user:ada", preview: p, now: T0 });
    const plan = (await repo.getPlan("k1", T0))!;
    expect(plan).toMatchObject({ id: "k1", cluster: "c", fromVersion: "1.33.4", toVersion: "1.34.1", state: "pending", actor: "user:ada", manifestsSync: "server-side-apply", manifestRevision: null });
    expect(plan.steps.map((s) => s.kind)).toEqual(["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy", "kubelet", "kubelet", "manifests"]);
    expect(plan.steps[0]).toMatchObject({ index: 0, node: "10.0.0.2@c", images: ["registry.k8s.io/kube-apiserver:v1.34.1"], state: "pending", attempts: 0, messages: [] });
    expect(plan.progress).toMatchObject({ total: 7, done: 0, percent: 0, etaSeconds: null });
  });

  it("writes step transitions with their times, attempts and bounded messages", async () => {
    const repo = new KubernetesUpgradeRepository(await testDb());
    await repo.insertPlan({ id: "k1", actor: "a", preview: preview(), now: T0 });
    await repo.updateStep("k1", 0, { state: "running", started: true, attempt: true, message: "patching", now: T0 + 1000 });
    for (let i = 0; i < 60; i++) await repo.updateStep("k1", 0, { message: `m${i}`, now: T0 + 2000 });
    await repo.updateStep("k1", 0, { state: "done", finished: true, now: T0 + 11_000 });
    const s = (await repo.getSteps("k1"))[0]!;
    expect(s).toMatchObject({ state: "done", attempts: 1, startedAt: new Date(T0 + 1000).toISOString(), finishedAt: new Date(T0 + 11_000).toISOString() });
    expect(s.messages).toHaveLength(50);
    expect(s.messages.at(-1)!.text).toBe("m59");
    const plan = (await repo.getPlan("k1", T0 + 11_000))!;
    expect(plan.progress).toMatchObject({ done: 1, etaSeconds: 60 });
    expect(plan.updatedAt).toBe(new Date(T0 + 11_000).toISOString());
  });

  it("lists live plans by state and cluster, newest first in the listing", async () => {
    const repo = new KubernetesUpgradeRepository(await testDb());
    await repo.insertPlan({ id: "k1", actor: "a", preview: preview(), now: T0 });
    await repo.insertPlan({ id: "k2", actor: "a", preview: preview(), now: T0 + 1 });
    await repo.setPlanState("k1", { state: "succeeded", finished: true, now: T0 + 5 });
    await repo.setManifestRevision("k1", 4);
    expect(await repo.listPlanIdsInStates(["pending", "running"])).toEqual([{ id: "k2", cluster: "c", state: "pending" }]);
    expect(await repo.listPlanIdsInStates(["pending"], { cluster: "other" })).toEqual([]);
    const list = await repo.listPlans({ limit: 10, now: T0 + 10 });
    expect(list.map((p) => [p.id, p.state, p.manifestRevision])).toEqual([
      ["k2", "pending", null],
      ["k1", "succeeded", 4],
    ]);
    expect(await repo.getPlanState("k1")).toBe("succeeded");
    expect(await repo.getPlan("nope", T0)).toBeNull();
  });
});
