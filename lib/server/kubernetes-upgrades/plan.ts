import "server-only";

import type { UpgradeCheck } from "@/lib/schemas/upgrades";
import type { KubernetesUpgradeNode, KubernetesUpgradeOptions, KubernetesUpgradePreview, PlannedKubernetesStep } from "@/lib/schemas/kubernetes-upgrades";
import {
  bareKubernetesVersion,
  componentImage,
  kubeletImageSuffix,
  kubernetesSupportedWith,
  removedArgsInUse,
  removedInUpgrade,
  STATIC_POD_COMPONENTS,
  supportsSsaManifestSync,
  upgradePathName,
  upgradePathProblem,
} from "@/lib/talos/kubernetes";
import { parseTalosVersion } from "@/lib/talos/version";

/**
 * The Kubernetes upgrade planner, pure: from what the nodes and the cluster's Kubernetes API said,
 * the pre-checks of `talosctl upgrade-k8s` (supported path, every node's Talos supports the
 * target, nothing in use that the target removes) and the ordered steps. No I/O.
 */

/** What the planner knows of one Talos node (./probes reads it); unreachable is a fact, not an error. */
export interface KubeNodeFacts {
  id: string;
  address: string;
  hostname: string | null;
  role: "controlplane" | "worker" | null;
  talosVersion: string | null;
  reachable: boolean;
  error?: string;
  /** The Node's kubelet version, null when Kubernetes does not know it. */
  kubeletVersion: string | null;
  /** The kubelet image of the running config (its -fat/-slim suffix is kept). */
  kubeletImage: string | null;
  /** `extraArgs` of the running config per component, as `--flag=value`, for the removed-flag check. */
  args: Partial<Record<"kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kubelet", string[]>>;
  /** Why the machine config could not be read (e.g. not admin); then `args` is empty and nothing was checked. */
  configError?: string | null;
}

export interface KubePlanInput {
  cluster: string;
  toVersion: string;
  options: KubernetesUpgradeOptions;
  nodes: KubeNodeFacts[];
  /** The lowest version the control-plane pods run (DetectLowestVersion), null when it could not be read. */
  fromVersion: string | null;
  /** Why Kubernetes could not be asked; null when it answered. */
  kubernetesProblem: string | null;
  /** Resources of API versions the target removes, with how many objects the cluster has. */
  removedResources: { resource: string; count: number }[];
}

const cmpNodes = (a: KubeNodeFacts, b: KubeNodeFacts) => (a.hostname ?? a.address).localeCompare(b.hostname ?? b.address) || a.address.localeCompare(b.address);

/** The label of a node in messages: its hostname, else its address. */
const label = (n: { hostname: string | null; address: string }) => n.hostname ?? n.address;

export function buildKubernetesPlan(input: KubePlanInput): KubernetesUpgradePreview {
  const to = bareKubernetesVersion(input.toVersion);
  const checks: UpgradeCheck[] = [];
  const from = input.fromVersion ? bareKubernetesVersion(input.fromVersion) : null;
  if (input.kubernetesProblem) checks.push({ level: "error", code: "kubernetes_unavailable", message: `Kubernetes cannot be asked: ${input.kubernetesProblem}` });
  if (from === null) {
    if (!input.kubernetesProblem) checks.push({ level: "error", code: "from_unknown", message: "The Kubernetes version the control plane runs could not be detected (no kube-apiserver, kube-controller-manager, kube-scheduler or kube-proxy pod with a version tag)" });
  } else {
    const problem = upgradePathProblem(from, to);
    if (problem) checks.push({ level: "error", code: "unsupported_path", message: problem });
  }

  for (const n of input.nodes) {
    if (!n.reachable) {
      checks.push({ level: "error", code: "unreachable", message: `${label(n)} did not answer: ${n.error ?? "unreachable"}`, node: n.id });
      continue;
    }
    // Unread config: no removed-flag check and no image to patch, so refuse rather than pass silently.
    if (n.configError) checks.push({ level: "error", code: "config_unreadable", message: `${label(n)}: its machine config could not be read (${n.configError}); the upgrade edits it and checks its extraArgs, which needs the os:admin role`, node: n.id });
    if (n.role === null) checks.push({ level: "error", code: "role_unknown", message: `${label(n)}: its role (control plane or worker) could not be read`, node: n.id });
    if (n.talosVersion && parseTalosVersion(n.talosVersion)) {
      const why = kubernetesSupportedWith(to, n.talosVersion);
      if (why) checks.push({ level: "error", code: "talos_support", message: `node ${JSON.stringify(label(n))}: ${why}`, node: n.id });
    }
  }
  const cps = input.nodes.filter((n) => n.role === "controlplane").sort(cmpNodes);
  const workers = input.nodes.filter((n) => n.role === "worker").sort(cmpNodes);
  if (cps.length === 0) checks.push({ level: "error", code: "no_controlplane", message: "no controlplane nodes discovered" });

  // go-kubernetes upgrade.Checks: what this minor step removes, still in use.
  if (from !== null) {
    const removed = removedInUpgrade(from, to);
    for (const r of input.removedResources.filter((x) => x.count > 0)) {
      checks.push({ level: "error", code: "removed_api", message: `${r.count} ${r.resource} object${r.count === 1 ? "" : "s"} in use: Kubernetes ${to} removes that API version; migrate them first` });
    }
    for (const n of input.nodes) {
      const components = n.role === "controlplane" ? (["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet"] as const) : (["kubelet"] as const);
      for (const c of components) {
        const inUse = removedArgsInUse(n.args[c] ?? [], {
          flags: removed.flags[c],
          featureGates: c === "kubelet" ? [] : removed.featureGates,
          admissionPlugins: c === "kube-apiserver" ? removed.admissionPlugins : [],
        });
        const items = [...inUse.flags.map((f) => `flag --${f}`), ...inUse.featureGates.map((g) => `feature gate ${g}`), ...inUse.admissionPlugins.map((p) => `admission plugin ${p}`)];
        if (items.length > 0) checks.push({ level: "error", code: "removed_args", message: `${label(n)} ${c}: Kubernetes ${to} removes ${items.join(", ")}; remove it from the machine config first`, node: n.id });
      }
    }
  }

  const nodes: KubernetesUpgradeNode[] = [...cps, ...workers].map((n) => ({ id: n.id, address: n.address, hostname: n.hostname, role: n.role!, talosVersion: n.talosVersion, kubeletVersion: n.kubeletVersion }));
  const steps = planSteps(cps, to, input.options, workers);
  if (from !== null && from === to && nodes.every((n) => n.kubeletVersion === `v${to}` || !input.options.upgradeKubelet)) {
    checks.push({ level: "warn", code: "already_on_target", message: `the cluster already runs Kubernetes ${to}: each step finds its component on the target and only syncs the manifests` });
  }
  const versions = input.nodes.map((n) => n.talosVersion);
  const manifestsSync = versions.length > 0 && versions.every((v) => v !== null && supportsSsaManifestSync(v)) ? "server-side-apply" : "legacy";
  return {
    cluster: input.cluster,
    fromVersion: from,
    toVersion: to,
    path: from === null ? null : upgradePathName(from, to),
    options: input.options,
    nodes,
    steps,
    manifestsSync,
    removedResources: input.removedResources,
    checks,
    canStart: !checks.some((c) => c.level === "error"),
  };
}

/** upgrade-k8s's order: pre-pull, each static pod over the control planes, kube-proxy, kubelets (control planes first), manifests. */
function planSteps(cps: KubeNodeFacts[], to: string, options: KubernetesUpgradeOptions, workers: KubeNodeFacts[]): PlannedKubernetesStep[] {
  const steps: Omit<PlannedKubernetesStep, "index">[] = [];
  const at = (n: KubeNodeFacts) => ({ node: n.id, address: n.address, hostname: n.hostname });
  const kubelet = (n: KubeNodeFacts) => componentImage("kubelet", to, { kubeletSuffix: kubeletSuffixOf(n.kubeletImage) });
  const kubeletNodes = options.upgradeKubelet ? [...cps, ...workers] : [];
  if (options.prePullImages) {
    for (const n of [...cps, ...workers]) {
      const images = [...(n.role === "controlplane" ? STATIC_POD_COMPONENTS.map((c) => componentImage(c, to)) : []), ...(options.upgradeKubelet ? [kubelet(n)] : [])];
      if (images.length > 0) steps.push({ kind: "pre-pull", ...at(n), images, description: `pull ${images.length} image${images.length === 1 ? "" : "s"} on ${label(n)}` });
    }
  }
  for (const c of STATIC_POD_COMPONENTS) {
    for (const n of cps) {
      const image = componentImage(c, to);
      steps.push({ kind: c, ...at(n), images: [image], description: `${c} on ${label(n)}: ${image}, then wait for its static pod Ready on it` });
    }
  }
  for (const n of cps) {
    const image = componentImage("kube-proxy", to);
    steps.push({ kind: "kube-proxy", ...at(n), images: [image], description: `kube-proxy image in the config of ${label(n)}: ${image}` });
  }
  for (const n of kubeletNodes) {
    const image = kubelet(n);
    steps.push({ kind: "kubelet", ...at(n), images: [image], description: `kubelet on ${label(n)}: ${image}, then wait for the Node on v${to} and Ready` });
  }
  steps.push({ kind: "manifests", node: null, address: null, hostname: null, images: [], description: "sync the bootstrap manifests (kube-proxy, CoreDNS, …) from Talos to Kubernetes" });
  return steps.map((s, index) => ({ ...s, index }));
}

const kubeletSuffixOf = (image: string | null): string => (image ? kubeletImageSuffix(image) : "");

/** DetectLowestVersion over the control-plane pods' image tags; null when none has a version tag. */
export function lowestVersion(versions: (string | null)[]): string | null {
  let best: { v: string; key: [number, number, number] } | null = null;
  for (const v of versions) {
    if (!v) continue;
    const p = parseTalosVersion(v);
    if (!p) continue;
    const key: [number, number, number] = [p.major, p.minor, p.patch];
    if (!best || key[0] < best.key[0] || (key[0] === best.key[0] && (key[1] < best.key[1] || (key[1] === best.key[1] && key[2] < best.key[2])))) best = { v: `${p.major}.${p.minor}.${p.patch}`, key };
  }
  return best?.v ?? null;
}
