import { describe, expect, it } from "vitest";

import { accessProblem, kubeCountsByCluster, skewText } from "@/components/kubernetes/kube-cluster-status";
import { cordonLabel, kubeReadyState, kubeReadyTitle } from "@/components/kubernetes/kube-status";
import type { ClusterKubernetes, NodeKubernetes } from "@/lib/schemas/kubernetes";

const node = (over: Partial<NodeKubernetes> = {}): NodeKubernetes => ({
  nodeName: "worker-1",
  ready: true,
  readyReason: null,
  kubeletVersion: "v1.34.1",
  unschedulable: false,
  cordonedByMinos: false,
  pods: 4,
  ...over,
});

const cluster = (over: Partial<ClusterKubernetes> = {}): ClusterKubernetes => ({
  access: "ok",
  message: null,
  source: "talos",
  controlPlaneVersion: "v1.34.1",
  kubeletVersions: { "v1.34.1": 3 },
  skew: 0,
  checkedAt: "2026-12-06T17:00:00.000Z",
  ...over,
});

describe("node Ready", () => {
  it.each<[string, NodeKubernetes | undefined, string, string | undefined]>([
    ["ready", node(), "ready", undefined],
    [
      "not ready, with the condition's reason",
      node({ ready: false, readyReason: "KubeletNotReady: container runtime down" }),
      "not_ready",
      "KubeletNotReady: container runtime down",
    ],
    ["not ready without a reason", node({ ready: false }), "not_ready", "The Node's Ready condition is not True"],
    ["unknown, no Node", node({ ready: null, nodeName: null }), "unknown", "No Kubernetes Node matches this Talos node (yet), or Kubernetes cannot be asked"],
    ["unknown, Kubernetes not asked", node({ ready: null }), "unknown", "Kubernetes cannot be asked about this node"],
    ["not tracked", undefined, "untracked", undefined],
  ])("%s", (_, k, state, title) => {
    expect(kubeReadyState(k)).toBe(state);
    expect(kubeReadyTitle(k)).toBe(title);
  });
});

describe("cordonLabel", () => {
  it.each<[NodeKubernetes | undefined, string | null]>([
    [node(), "Schedulable"],
    [node({ unschedulable: true }), "Cordoned outside Minos"],
    [node({ unschedulable: true, cordonedByMinos: true }), "Cordoned by Minos"],
    [node({ unschedulable: null }), null],
    [undefined, null],
  ])("%#", (k, label) => {
    expect(cordonLabel(k)).toBe(label);
  });
});

describe("skewText", () => {
  it.each<[string, Partial<ClusterKubernetes>, string, string]>([
    ["none", {}, "no version skew", "ok"],
    ["one minor behind", { skew: 1, kubeletVersions: { "v1.34.1": 2, "v1.33.5": 1 } }, "kubelets up to 1 minor version behind", "warn"],
    ["three behind is still supported", { skew: 3, kubeletVersions: { "v1.31.0": 1 } }, "kubelets up to 3 minor versions behind", "warn"],
    ["four behind is not", { skew: 4, kubeletVersions: { "v1.30.0": 1 } }, "kubelets 4 minor versions behind: beyond the 3 Kubernetes supports", "danger"],
    [
      "a newer kubelet never is",
      { skew: 1, kubeletVersions: { "v1.35.0": 1, "v1.34.1": 2 } },
      "a kubelet is newer than the control plane (unsupported)",
      "danger",
    ],
    ["a newer patch is no skew", { skew: 0, kubeletVersions: { "v1.34.3": 1 } }, "no version skew", "ok"],
    ["unknown", { skew: null, controlPlaneVersion: null }, "skew unknown", "neutral"],
  ])("%s", (_, over, text, tone) => {
    expect(skewText(cluster(over))).toEqual({ text, tone });
  });
});

describe("accessProblem", () => {
  it("says nothing when Kubernetes answers, and why not otherwise", () => {
    expect(accessProblem(cluster())).toBeNull();
    expect(accessProblem(undefined)).toBeNull();
    expect(accessProblem(cluster({ access: "no-credentials", message: "The talosconfig is os:reader; an admin can upload a kubeconfig." }))).toEqual({
      title: "No Kubernetes credentials: upload a kubeconfig",
      detail: "The talosconfig is os:reader; an admin can upload a kubeconfig.",
      tone: "warn",
    });
    expect(accessProblem(cluster({ access: "unreachable", message: "connect ECONNREFUSED" }))).toMatchObject({
      title: "Kubernetes unreachable",
      tone: "danger",
    });
    expect(accessProblem(cluster({ access: "unknown" }))).toMatchObject({ title: "Kubernetes not checked yet" });
  });
});

describe("kubeCountsByCluster", () => {
  it("counts not Ready (false or unknown) and cordoned nodes per cluster, skipping nodes without status", () => {
    const counts = kubeCountsByCluster([
      { cluster: "a", kubernetes: node() },
      { cluster: "a", kubernetes: node({ ready: false }) },
      { cluster: "a", kubernetes: node({ ready: null }) },
      { cluster: "a", kubernetes: node({ unschedulable: true }) },
      { cluster: "b", kubernetes: node({ ready: false, unschedulable: true }) },
      { cluster: "c" },
    ]);
    expect(Object.fromEntries(counts)).toEqual({ a: { notReady: 2, cordoned: 1 }, b: { notReady: 1, cordoned: 1 } });
  });
});
