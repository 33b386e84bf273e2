import { describe, expect, it } from "vitest";

import { reconciled } from "./reconcile";

const ds = (status: object, generation = 3) => ({ kind: "DaemonSet", metadata: { name: "kube-proxy", namespace: "kube-system", generation }, status });
const deploy = (replicas: number, status: object) => ({ kind: "Deployment", metadata: { name: "coredns", namespace: "kube-system", generation: 2 }, spec: { replicas }, status: { observedGeneration: 2, ...status } });

describe("reconciled", () => {
  it("waits for the controller to see the new generation", () => {
    expect(reconciled(ds({ observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 }))).toEqual({ ok: false, reason: "DaemonSet kube-system/kube-proxy: the controller has not seen generation 3 yet" });
  });
  it("a DaemonSet is current once every scheduled pod is updated and available", () => {
    expect(reconciled(ds({ observedGeneration: 3, desiredNumberScheduled: 3, updatedNumberScheduled: 1, numberAvailable: 3 }))).toEqual({ ok: false, reason: "DaemonSet kube-system/kube-proxy: 1 of 3 pods updated" });
    expect(reconciled(ds({ observedGeneration: 3, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 }))).toEqual({ ok: false, reason: "DaemonSet kube-system/kube-proxy: 2 of 3 pods available" });
    expect(reconciled(ds({ observedGeneration: 3, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 }))).toEqual({ ok: true });
  });
  it("a Deployment is current once its replicas are updated, the old ones gone, and all available", () => {
    expect(reconciled(deploy(2, { replicas: 2, updatedReplicas: 1, availableReplicas: 2 })).ok).toBe(false);
    expect(reconciled(deploy(2, { replicas: 3, updatedReplicas: 2, availableReplicas: 2 }))).toEqual({ ok: false, reason: "Deployment kube-system/coredns: 1 old replica still terminating" });
    expect(reconciled(deploy(2, { replicas: 2, updatedReplicas: 2, availableReplicas: 1 }))).toEqual({ ok: false, reason: "Deployment kube-system/coredns: 1 of 2 replicas available" });
    expect(reconciled(deploy(2, { replicas: 2, updatedReplicas: 2, availableReplicas: 2 }))).toEqual({ ok: true });
  });
  it("other kinds are current once applied", () => {
    expect(reconciled({ kind: "ServiceAccount", metadata: { name: "x" } })).toEqual({ ok: true });
  });
});
