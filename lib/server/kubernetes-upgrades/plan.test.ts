import { describe, expect, it } from "vitest";

import { componentExtraArgs, configImage, withComponentImage } from "./config-patch";
import { decideStep, kubernetesProgress, type SchedStep } from "./machine";
import { buildKubernetesPlan, type KubeNodeFacts, type KubePlanInput, lowestVersion } from "./plan";

const node = (address: string, role: "controlplane" | "worker", more: Partial<KubeNodeFacts> = {}): KubeNodeFacts => ({
  id: `${address}@c`,
  address,
  hostname: `${role === "controlplane" ? "cp" : "w"}-${address.split(".").pop()}`,
  role,
  talosVersion: "v1.13.2",
  reachable: true,
  kubeletVersion: "v1.33.4",
  kubeletImage: "ghcr.io/siderolabs/kubelet:v1.33.4",
  args: {},
  ...more,
});
const input = (more: Partial<KubePlanInput> = {}): KubePlanInput => ({
  cluster: "c",
  toVersion: "v1.34.1",
  options: { prePullImages: true, upgradeKubelet: true, stepTimeoutSeconds: 300 },
  nodes: [node("10.0.0.3", "controlplane"), node("10.0.0.2", "controlplane"), node("10.0.0.9", "worker", { kubeletImage: "ghcr.io/siderolabs/kubelet:v1.33.4-fat" })],
  fromVersion: "1.33.4",
  kubernetesProblem: null,
  removedResources: [],
  ...more,
});

describe("buildKubernetesPlan", () => {
  it("orders the steps as upgrade-k8s: pre-pull, each static pod over the control planes, kube-proxy, kubelets (control planes first), manifests", () => {
    const p = buildKubernetesPlan(input());
    expect(p.canStart).toBe(true);
    expect(p.path).toBe("1.33->1.34");
    expect(p.toVersion).toBe("1.34.1");
    expect(p.steps.map((s) => `${s.kind}${s.hostname ? `@${s.hostname}` : ""}`)).toEqual([
      "pre-pull@cp-2",
      "pre-pull@cp-3",
      "pre-pull@w-9",
      "kube-apiserver@cp-2",
      "kube-apiserver@cp-3",
      "kube-controller-manager@cp-2",
      "kube-controller-manager@cp-3",
      "kube-scheduler@cp-2",
      "kube-scheduler@cp-3",
      "kube-proxy@cp-2",
      "kube-proxy@cp-3",
      "kubelet@cp-2",
      "kubelet@cp-3",
      "kubelet@w-9",
      "manifests",
    ]);
    expect(p.steps.map((s) => s.index)).toEqual(p.steps.map((_, i) => i));
    expect(p.steps[0]!.images).toEqual([
      "registry.k8s.io/kube-apiserver:v1.34.1",
      "registry.k8s.io/kube-controller-manager:v1.34.1",
      "registry.k8s.io/kube-scheduler:v1.34.1",
      "ghcr.io/siderolabs/kubelet:v1.34.1",
    ]);
    // The kubelet keeps its -fat flavour.
    expect(p.steps.find((s) => s.kind === "kubelet" && s.hostname === "w-9")!.images).toEqual(["ghcr.io/siderolabs/kubelet:v1.34.1-fat"]);
    expect(p.manifestsSync).toBe("server-side-apply");
  });

  it("leaves out pre-pull and kubelets when asked", () => {
    const p = buildKubernetesPlan(input({ options: { prePullImages: false, upgradeKubelet: false, stepTimeoutSeconds: 300 } }));
    expect(p.steps.some((s) => s.kind === "pre-pull" || s.kind === "kubelet")).toBe(false);
  });

  it("refuses a jump of two minors with the reason", () => {
    const p = buildKubernetesPlan(input({ toVersion: "1.35.0" }));
    expect(p.canStart).toBe(false);
    expect(p.checks).toContainEqual({ level: "error", code: "unsupported_path", message: expect.stringContaining("upgrade to 1.34 first") });
  });

  it("refuses a target a node's Talos does not support, naming the node", () => {
    const p = buildKubernetesPlan(input({ nodes: [...input().nodes, node("10.0.0.8", "worker", { talosVersion: "v1.10.7" })] }));
    expect(p.checks).toContainEqual({ level: "error", code: "talos_support", node: "10.0.0.8@c", message: 'node "w-8": version of Kubernetes 1.34.1 is too new to be used with Talos 1.10.7' });
    expect(p.manifestsSync).toBe("legacy");
  });

  it("reports API versions in use and removed flags that the target removes", () => {
    const p = buildKubernetesPlan(
      input({
        fromVersion: "1.24.9",
        toVersion: "1.25.0",
        nodes: [node("10.0.0.2", "controlplane", { talosVersion: "v1.3.0", args: { "kube-apiserver": ["--enable-admission-plugins=PodSecurityPolicy,NodeRestriction"] } })],
        removedResources: [{ resource: "podsecuritypolicies.v1beta1.policy", count: 2 }],
      }),
    );
    expect(p.checks.filter((c) => c.level === "error").map((c) => c.code)).toEqual(["removed_api", "removed_args"]);
    expect(p.checks[0]!.message).toBe("2 podsecuritypolicies.v1beta1.policy objects in use: Kubernetes 1.25.0 removes that API version; migrate them first");
    expect(p.checks[1]!.message).toContain("admission plugin PodSecurityPolicy");
  });

  it("cannot start without Kubernetes, or with an unreachable node", () => {
    const p = buildKubernetesPlan(input({ fromVersion: null, kubernetesProblem: "connection refused", nodes: [node("10.0.0.2", "controlplane", { reachable: false, role: null, error: "down" })] }));
    expect(p.checks.map((c) => c.code)).toEqual(["kubernetes_unavailable", "unreachable", "no_controlplane"]);
    expect(p.canStart).toBe(false);
  });

  it("refuses a node whose machine config could not be read (not admin) instead of skipping its checks", () => {
    const p = buildKubernetesPlan(input({ nodes: [node("10.0.0.2", "controlplane", { args: {}, configError: "PermissionDenied: not authorized" }), node("10.0.0.9", "worker")] }));
    expect(p.canStart).toBe(false);
    expect(p.checks).toContainEqual(expect.objectContaining({ level: "error", code: "config_unreadable", node: "10.0.0.2@c" }));
    expect(p.checks.find((c) => c.code === "config_unreadable")!.message).toMatch(/cp-2: its machine config could not be read \(PermissionDenied: not authorized\)/);
  });
  it("detects the lowest version like DetectLowestVersion", () => {
    expect(lowestVersion(["v1.34.0", "v1.33.9", null, "nonsense", "v1.33.10"])).toBe("1.33.9");
    expect(lowestVersion([null])).toBeNull();
  });
});

describe("decideStep", () => {
  const steps = (...states: SchedStep["state"][]): SchedStep[] => states.map((state, index) => ({ index, state, error: state === "failed" ? "boom" : null, label: `s${index}` }));
  it("runs one step at a time, in order", () => {
    expect(decideStep({ state: "running", steps: steps("done", "pending", "pending") })).toEqual({ kind: "start", step: 1 });
    expect(decideStep({ state: "running", steps: steps("done", "waiting", "pending") })).toEqual({ kind: "wait" });
    expect(decideStep({ state: "running", steps: steps("done", "pending"), starting: 1 })).toEqual({ kind: "wait" });
  });
  it("finishes the step in flight before pausing or cancelling", () => {
    expect(decideStep({ state: "paused", steps: steps("running", "pending") })).toEqual({ kind: "wait" });
    expect(decideStep({ state: "paused", steps: steps("done", "pending") })).toEqual({ kind: "wait" });
    expect(decideStep({ state: "cancelling", steps: steps("running", "pending") })).toEqual({ kind: "wait" });
    expect(decideStep({ state: "cancelling", steps: steps("done", "pending", "pending") })).toEqual({ kind: "finish", event: "finish-cancel", reason: "cancelled by the operator", skip: [1, 2] });
  });
  it("halts at the first failure", () => {
    expect(decideStep({ state: "running", steps: steps("done", "failed", "pending") })).toEqual({ kind: "finish", event: "fail", reason: "s1: boom", skip: [2] });
  });
  it("succeeds when every step is done", () => {
    expect(decideStep({ state: "running", steps: steps("done", "done") })).toEqual({ kind: "finish", event: "succeed", reason: null, skip: [] });
  });
});

describe("kubernetesProgress", () => {
  it("counts and estimates from the finished steps", () => {
    const t = (s: number) => new Date(1_700_000_000_000 + s * 1000).toISOString();
    const p = kubernetesProgress(
      [
        { state: "done", startedAt: t(0), finishedAt: t(10) },
        { state: "done", startedAt: t(10), finishedAt: t(40) },
        { state: "running", startedAt: t(40), finishedAt: null },
        { state: "pending", startedAt: null, finishedAt: null },
      ],
      1_700_000_000_000 + 45_000,
    );
    expect(p).toEqual({ total: 4, done: 2, skipped: 0, failed: 0, inFlight: 1, percent: 50, etaSeconds: 35 });
  });
});

describe("config patch", () => {
  const yaml = `version: v1alpha1 # the main document
machine:
  type: controlplane
  kubelet:
    image: ghcr.io/siderolabs/kubelet:v1.33.4
    extraArgs:
      cloud-config: /etc/x
cluster:
  apiServer:
    image: registry.k8s.io/kube-apiserver:v1.33.4
---
apiVersion: v1alpha1
kind: HostnameConfig
hostname: cp-1
`;
  it("sets one image, keeping the other documents and comments", () => {
    const r = withComponentImage(yaml, "kube-apiserver", "registry.k8s.io/kube-apiserver:v1.34.1");
    expect(r.changed).toBe(true);
    expect(r.previous).toBe("registry.k8s.io/kube-apiserver:v1.33.4");
    expect(configImage(r.yaml, "kube-apiserver")).toBe("registry.k8s.io/kube-apiserver:v1.34.1");
    expect(r.yaml).toContain("# the main document");
    expect(r.yaml).toContain("kind: HostnameConfig");
    expect(configImage(r.yaml, "kubelet")).toBe("ghcr.io/siderolabs/kubelet:v1.33.4");
  });
  it("adds an image that was unset, and changes nothing when it is there", () => {
    const r = withComponentImage(yaml, "kube-scheduler", "registry.k8s.io/kube-scheduler:v1.34.1");
    expect(configImage(r.yaml, "kube-scheduler")).toBe("registry.k8s.io/kube-scheduler:v1.34.1");
    expect(withComponentImage(yaml, "kubelet", "ghcr.io/siderolabs/kubelet:v1.33.4")).toEqual({ yaml, changed: false, previous: "ghcr.io/siderolabs/kubelet:v1.33.4" });
  });
  it("sets the image in the component's own document when the config has one (1.14 contract)", () => {
    const multi = `${yaml}---\napiVersion: v1alpha1\nkind: KubeletConfig\nimage: ghcr.io/siderolabs/kubelet:v1.33.4-fat\n`;
    expect(configImage(multi, "kubelet")).toBe("ghcr.io/siderolabs/kubelet:v1.33.4-fat");
    const r = withComponentImage(multi, "kubelet", "ghcr.io/siderolabs/kubelet:v1.34.1-fat");
    expect(configImage(r.yaml, "kubelet")).toBe("ghcr.io/siderolabs/kubelet:v1.34.1-fat");
    // The v1alpha1 field is left as it was.
    expect(r.yaml).toContain("image: ghcr.io/siderolabs/kubelet:v1.33.4\n");
  });
  it("reads extraArgs as flags", () => {
    expect(componentExtraArgs(yaml)).toEqual({ kubelet: ["--cloud-config=/etc/x"] });
  });
  it("reads extraArgs from the components' own documents of a 1.14 multi-document config", () => {
    const multi = [
      "version: v1alpha1\nmachine:\n  type: controlplane\ncluster:\n  clusterName: c\n",
      "apiVersion: v1alpha1\nkind: KubeAPIServerConfig\nimage: registry.k8s.io/kube-apiserver:v1.33.4\nextraArgs:\n  enable-admission-plugins: PodSecurityPolicy,NodeRestriction\n  feature-gates:\n    - A=true\n    - B=false\n",
      "apiVersion: v1alpha1\nkind: KubeletConfig\nimage: ghcr.io/siderolabs/kubelet:v1.33.4\nextraArgs:\n  cloud-config: /etc/y\n",
    ].join("---\n");
    expect(componentExtraArgs(multi)).toEqual({
      "kube-apiserver": ["--enable-admission-plugins=PodSecurityPolicy,NodeRestriction", "--feature-gates=A=true", "--feature-gates=B=false"],
      kubelet: ["--cloud-config=/etc/y"],
    });
  });
});
