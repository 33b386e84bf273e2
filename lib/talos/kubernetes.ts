/**
 * Talos's Kubernetes facts, copied from its source (never guessed): which Kubernetes versions
 * each Talos minor runs, which upgrade paths `talosctl upgrade-k8s` accepts, the component images
 * it sets, what each minor step removes, and when the bootstrap manifests are synced with
 * server-side apply. Shared by the Kubernetes upgrade planner and runner, the upgrade form and the
 * simulator. Pure and isomorphic.
 *
 * Sources (siderolabs/talos ad88231, siderolabs/go-kubernetes 0caf1f2):
 * - pkg/machinery/compatibility/talosNNN/talosNNN.go, kubernetes_version.go (SupportedWith)
 * - pkg/machinery/compatibility/talos_version.go (SupportsSSAManifestSync)
 * - pkg/machinery/constants/constants.go (images, annotations, field manager)
 * - pkg/cluster/kubernetes/{talos_managed,kubelet,detect}.go (upgrade-k8s)
 * - go-kubernetes kubernetes/upgrade/{path,checks}.go (paths, removed items per step)
 */
import { upgradePathFor } from "./upgrade";
import { parseTalosVersion, type TalosVersion } from "./version";

/** `constants.KubeletImage` and the control-plane images `upgrade-k8s` sets by default. */
export const KUBERNETES_IMAGES = {
  kubelet: "ghcr.io/siderolabs/kubelet",
  "kube-apiserver": "registry.k8s.io/kube-apiserver",
  "kube-controller-manager": "registry.k8s.io/kube-controller-manager",
  "kube-scheduler": "registry.k8s.io/kube-scheduler",
  "kube-proxy": "registry.k8s.io/kube-proxy",
} as const;
export type KubernetesComponent = keyof typeof KUBERNETES_IMAGES;

/** The static pods `upgrade-k8s` updates, in its order (one control plane at a time each). */
export const STATIC_POD_COMPONENTS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const;
export type StaticPodComponent = (typeof STATIC_POD_COMPONENTS)[number];

/** Where each component's image lives in the v1alpha1 machine config (stdpatches.With*Image). */
export const COMPONENT_CONFIG_PATH: Record<KubernetesComponent, readonly string[]> = {
  kubelet: ["machine", "kubelet", "image"],
  "kube-apiserver": ["cluster", "apiServer", "image"],
  "kube-controller-manager": ["cluster", "controllerManager", "image"],
  "kube-scheduler": ["cluster", "scheduler", "image"],
  "kube-proxy": ["cluster", "proxy", "image"],
};

/**
 * The documents of the multi-document Kubernetes config (Talos 1.14 contract,
 * pkg/machinery/config/types/k8s): when a config has one, stdpatches.With*Image sets its `image`
 * instead of the v1alpha1 field (GuessVersionContractKube*).
 */
export const COMPONENT_DOCUMENT_KIND: Record<KubernetesComponent, string> = {
  kubelet: "KubeletConfig",
  "kube-apiserver": "KubeAPIServerConfig",
  "kube-controller-manager": "KubeControllerManagerConfig",
  "kube-scheduler": "KubeSchedulerConfig",
  "kube-proxy": "KubeProxyConfig",
};

/** `constants.AnnotationStaticPodConfigVersion`: Talos stamps its static pods with their config version. */
export const STATIC_POD_CONFIG_VERSION_ANNOTATION = "talos.dev/config-version";
/** `constants.KubernetesFieldManagerName`: the server-side apply field manager of the manifests sync. */
export const MANIFESTS_FIELD_MANAGER = "talos";
/** `constants.KubernetesInventoryNamespace` / `KubernetesBootstrapManifestsInventoryName`. */
export const MANIFESTS_INVENTORY = { namespace: "kube-system", name: "talos-bootstrap-manifests-inventory" } as const;
/** The COSI resource Talos renders its bootstrap manifests into (k8s.ManifestType, controlplane namespace). */
export const MANIFEST_RESOURCE = { namespace: "controlplane", type: "Manifests.kubernetes.talos.dev" } as const;

/** A Kubernetes version (semver tolerant, as blang/semver ParseTolerant: "v" optional). */
export type KubernetesVersion = TalosVersion;

/** Parses "1.34.1" or "v1.34.1"; null when it is not a version. */
export function parseKubernetesVersion(input: string): KubernetesVersion | null {
  return parseTalosVersion(input);
}

/** "v1.34.1" → "1.34.1" (upgrade-k8s trims the "v"; images and kubelets add it back). */
export function bareKubernetesVersion(input: string): string {
  return input.trim().replace(/^v/, "");
}

/** `<image>:v<version>`, as `upgrade-k8s` builds each component's image (the kubelet keeps a -fat/-slim suffix). */
export function componentImage(component: KubernetesComponent, version: string, opts: { kubeletSuffix?: string } = {}): string {
  const suffix = component === "kubelet" ? (opts.kubeletSuffix ?? "") : "";
  return `${KUBERNETES_IMAGES[component]}:v${bareKubernetesVersion(version)}${suffix}`;
}

/** The tag of an image reference (reference.Tagged), or null without one; a digest is not a tag. */
export function imageTag(image: string): string | null {
  const noDigest = image.split("@")[0]!;
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > slash ? noDigest.slice(colon + 1) : null;
}

/** The Kubernetes version an image runs (its tag), e.g. "v1.34.1"; null when the tag is not one. */
export function versionFromImage(image: string): string | null {
  const tag = imageTag(image);
  if (!tag) return null;
  const v = parseKubernetesVersion(tag.replace(/-(fat|slim)$/, ""));
  return v ? `v${v.major}.${v.minor}.${v.patch}${v.prerelease.length ? `-${v.prerelease.join(".")}` : ""}` : null;
}

/** extractKubeletVersionSuffix: "-fat" or "-slim" when the kubelet image ends so, else "". */
export function kubeletImageSuffix(image: string): string {
  for (const s of ["-fat", "-slim"]) if (image.endsWith(s)) return s;
  return "";
}

/**
 * The Kubernetes range of each Talos minor (Minimum/MaximumKubernetesVersion of talosNNN.go).
 * A version is supported when min <= version < max (the maxima are x.y.99: SupportedWith
 * compares major.minor.patch and refuses `>= max`).
 */
export const TALOS_KUBERNETES_SUPPORT: Readonly<Record<string, { min: string; max: string }>> = {
  "1.2": { min: "1.23.0", max: "1.25.99" },
  "1.3": { min: "1.24.0", max: "1.26.99" },
  "1.4": { min: "1.25.0", max: "1.27.99" },
  "1.5": { min: "1.26.0", max: "1.28.99" },
  "1.6": { min: "1.24.0", max: "1.29.99" },
  "1.7": { min: "1.25.0", max: "1.30.99" },
  "1.8": { min: "1.26.0", max: "1.31.99" },
  "1.9": { min: "1.27.0", max: "1.32.99" },
  "1.10": { min: "1.28.0", max: "1.33.99" },
  "1.11": { min: "1.29.0", max: "1.34.99" },
  "1.12": { min: "1.30.0", max: "1.35.99" },
  "1.13": { min: "1.31.0", max: "1.36.99" },
  "1.14": { min: "1.32.0", max: "1.37.99" },
  "1.15": { min: "1.33.0", max: "1.38.99" },
};

function core(v: KubernetesVersion): [number, number, number] {
  return [v.major, v.minor, v.patch];
}

function compareCore(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/**
 * KubernetesVersion.SupportedWith: null when Talos `talosVersion` runs Kubernetes `k8sVersion`,
 * else Talos's sentence why not. Pre-releases count as their release (core triple only).
 */
export function kubernetesSupportedWith(k8sVersion: string, talosVersion: string): string | null {
  const k = parseKubernetesVersion(k8sVersion);
  const t = parseTalosVersion(talosVersion);
  if (!k) return `${JSON.stringify(k8sVersion)} is not a Kubernetes version`;
  if (!t) return `${JSON.stringify(talosVersion)} is not a Talos version`;
  const range = TALOS_KUBERNETES_SUPPORT[`${t.major}.${t.minor}`];
  const k8s = bareKubernetesVersion(k.raw);
  const talos = talosVersion.trim().replace(/^v/, "");
  if (!range) return `compatibility with version ${talos} is not supported`;
  const min = parseKubernetesVersion(range.min)!;
  const max = parseKubernetesVersion(range.max)!;
  if (compareCore(core(k), core(min)) < 0) return `version of Kubernetes ${k8s} is too old to be used with Talos ${talos}`;
  if (compareCore(core(k), core(max)) >= 0) return `version of Kubernetes ${k8s} is too new to be used with Talos ${talos}`;
  return null;
}

/** The oldest and newest minor of the paths in go-kubernetes upgrade.Path.IsSupported. */
export const UPGRADE_PATH_MINORS = { major: 1, first: 19, last: 37 } as const;

/** `Path.String()`: "1.33->1.34". */
export function upgradePathName(from: string, to: string): string {
  const f = parseKubernetesVersion(from);
  const t = parseKubernetesVersion(to);
  return `${f ? `${f.major}.${f.minor}` : "?"}->${t ? `${t.major}.${t.minor}` : "?"}`;
}

/**
 * Path.IsSupported: the same minor, or the next one, between 1.19 and 1.37 (a downgrade or a
 * jump of two minors is refused, as upgrade-k8s does). Null when supported, else the reason.
 */
export function upgradePathProblem(from: string, to: string): string | null {
  const f = parseKubernetesVersion(from);
  const t = parseKubernetesVersion(to);
  if (!f) return `${JSON.stringify(from)} is not a Kubernetes version`;
  if (!t) return `${JSON.stringify(to)} is not a Kubernetes version`;
  const { major, first, last } = UPGRADE_PATH_MINORS;
  const ok = f.major === major && t.major === major && f.minor >= first && t.minor <= last && (t.minor === f.minor || t.minor === f.minor + 1);
  if (ok) return null;
  const name = upgradePathName(from, to);
  const why =
    t.major === f.major && t.minor < f.minor
      ? "Kubernetes cannot be downgraded to an older minor"
      : t.major === f.major && t.minor > f.minor + 1
        ? `Kubernetes upgrades one minor at a time: upgrade to ${f.major}.${f.minor + 1} first`
        : `upgrade-k8s supports paths between ${major}.${first} and ${major}.${last}`;
  return `unsupported upgrade path ${name} (from "${bareKubernetesVersion(from)}" to "${bareKubernetesVersion(to)}"): ${why}`;
}

/** What a minor step removes (go-kubernetes upgrade.Checks' upgradeVersionCheck). */
export interface RemovedItems {
  /** API resources as `resource.version.group` (schema.ParseResourceArg). */
  apiResources: string[];
  admissionPlugins: string[];
  featureGates: string[];
  flags: Partial<Record<"kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kubelet", string[]>>;
}

const none: RemovedItems = { apiResources: [], admissionPlugins: [], featureGates: [], flags: {} };

/** Per path (`Path.String()`), copied from go-kubernetes kubernetes/upgrade/checks.go. */
export const REMOVED_IN_UPGRADE: Readonly<Record<string, RemovedItems>> = {
  "1.24->1.25": {
    apiResources: ["podsecuritypolicies.v1beta1.policy"],
    admissionPlugins: ["PodSecurityPolicy"],
    featureGates: ["CSIVolumeFSGroupPolicy", "ConfigurableFSGroupPolicy", "PodDisruptionBudget", "SelectorIndex"],
    flags: { "kube-apiserver": ["service-account-api-audiences"], "kube-controller-manager": ["deleting-pods-qps", "deleting-pods-burst", "register-retry-count"] },
  },
  "1.25->1.26": { ...none, featureGates: ["DynamicKubeletConfig"], flags: { "kube-apiserver": ["master-service-namespace"] } },
  "1.26->1.27": {
    ...none,
    featureGates: [
      "ExpandCSIVolumes",
      "ExpandInUsePersistentVolumes",
      "ExpandPersistentVolumes",
      "ControllerManagerLeaderMigration",
      "CSIMigration",
      "CSIInlineVolume",
      "EphemeralContainers",
      "LocalStorageCapacityIsolation",
      "NetworkPolicyEndPort",
      "StatefulSetMinReadySeconds",
      "IdentifyPodOS",
      "DaemonSetUpdateSurge",
    ],
    flags: { "kube-controller-manager": ["enable-taint-manager", "pod-eviction-timeout"], kubelet: ["container-runtime", "master-service-namespace"] },
  },
  "1.27->1.28": {
    ...none,
    featureGates: [
      "AdvancedAuditing",
      "DelegateFSGroupToCSIDriver",
      "DevicePlugins",
      "DisableAcceleratorUsageMetrics",
      "EndpointSliceTerminatingCondition",
      "CSIStorageCapacity",
      "CSIMigrationGCE",
      "KubeletCredentialProviders",
      "MixedProtocolLBService",
      "ServiceInternalTrafficPolicy",
      "ServiceIPStaticSubrange",
      "WindowsHostProcessContainers",
    ],
  },
  "1.28->1.29": { ...none, apiResources: ["clustercidrs.v1alpha1.networking.k8s.io"] },
  "1.29->1.30": {
    ...none,
    admissionPlugins: ["SecurityContextDeny"],
    featureGates: [
      "ExpandedDNSConfig",
      "ExperimentalHostUserNamespaceDefaultingGate",
      "IPTablesOwnershipCleanup",
      "KubeletPodResources",
      "KubeletPodResourcesGetAllocatable",
      "MinimizeIPTablesRestore",
      "ProxyTerminatingEndpoints",
      "RemoveSelfLink",
    ],
  },
  "1.30->1.31": {
    ...none,
    featureGates: ["APIPriorityAndFairness", "CSINodeExpandSecret", "ConsistentHTTPGetHandlers", "DefaultHostNetworkHostPortsInPodTemplates", "ServiceNodePortStaticSubrange", "SkipReadOnlyValidationGCE"],
    flags: {
      kubelet: ["keep-terminated-pod-volumes", "iptables-masquerade-bit", "iptables-drop-bit"],
      "kube-controller-manager": ["volume-host-cidr-denylist", "volume-host-allow-local-loopback", "horizontal-pod-autoscaler-upscale-delay", "horizontal-pod-autoscaler-downscale-delay"],
    },
  },
  "1.31->1.32": {
    ...none,
    apiResources: ["podschedulingcontexts.v1alpha3.resource.k8s.io"],
    featureGates: [
      "AllowServiceLBStatusOnNonLB",
      "CloudDualStackNodeIPs",
      "DRAControlPlaneController",
      "HPAContainerMetrics",
      "KMSv2",
      "KMSv2KDF",
      "LegacyServiceAccountTokenCleanUp",
      "MinDomainsInPodTopologySpread",
      "NewVolumeManagerReconstruction",
      "NodeOutOfServiceVolumeDetach",
      "ServerSideApply",
      "ServerSideFieldValidation",
      "StableLoadBalancerNodeSet",
      "ValidatingAdmissionPolicy",
      "ZeroLimitedNominalConcurrencyShares",
    ],
  },
  "1.32->1.33": {
    ...none,
    featureGates: [
      "AppArmor",
      "AppArmorFields",
      "CPUManager",
      "DisableCloudProviders",
      "DisableKubeletCloudCredentialProviders",
      "JobPodFailurePolicy",
      "KubeProxyDrainingTerminatingNodes",
      "PDBUnhealthyPodEvictionPolicy",
      "PersistentVolumeLastPhaseTransitionTime",
      "VolumeCapacityPriority",
    ],
    flags: { "kube-apiserver": ["cloud-config"] },
  },
  "1.33->1.34": { ...none, featureGates: ["DevicePluginCDIDevices", "LegacySidecarContainers", "PodDisruptionConditions"], flags: { kubelet: ["cloud-config"] } },
  "1.34->1.35": { ...none, featureGates: ["SizeMemoryBackedVolumes", "UserNamespacesHostNetworkSupport"], flags: { kubelet: ["pod-infra-container-image"] } },
  "1.35->1.36": { ...none, featureGates: ["CSIMigrationPortworx", "HonorPVReclaimPolicy", "InTreePluginPortworxUnregister", "WatchFromStorageWithoutResourceVersion"] },
  "1.36->1.37": {
    ...none,
    apiResources: ["workloads.v1alpha2.scheduling.k8s.io", "podgroups.v1alpha2.scheduling.k8s.io"],
    featureGates: ["AnyVolumeDataSource", "DeclarativeValidationTakeover", "GangScheduling", "PreventStaticPodAPIReferences", "WorkloadAwarePreemption"],
    flags: {
      kubelet: [
        "application-metrics-count-limit",
        "boot-id-file",
        "container-hints",
        "containerd",
        "containerd-namespace",
        "enable-load-reader",
        "event-storage-age-limit",
        "event-storage-event-limit",
        "global-housekeeping-interval",
        "log-cadvisor-usage",
        "machine-id-file",
        "storage-driver-user",
        "storage-driver-password",
        "storage-driver-host",
        "storage-driver-db",
        "storage-driver-table",
        "storage-driver-secure",
        "storage-driver-buffer-duration",
      ],
    },
  },
};

/** What `from → to` removes; empty for a patch upgrade or a step without removals. */
export function removedInUpgrade(from: string, to: string): RemovedItems {
  return REMOVED_IN_UPGRADE[upgradePathName(from, to)] ?? none;
}

/** schema.ParseResourceArg("podsecuritypolicies.v1beta1.policy") → group/version/resource; null when it has no version. */
export function parseResourceArg(arg: string): { group: string; version: string; resource: string } | null {
  const parts = arg.split(".");
  if (parts.length < 2) return null;
  const [resource, version, ...group] = parts;
  return { resource: resource!, version: version!, group: group.join(".") };
}

/** The REST path that lists a resource cluster-wide: /api/v1/… for the core group, /apis/<group>/<version>/… else. */
export function resourceListPath(arg: string): string | null {
  const r = parseResourceArg(arg);
  if (!r) return null;
  return r.group === "" ? `/api/${r.version}/${r.resource}` : `/apis/${r.group}/${r.version}/${r.resource}`;
}

/**
 * `--flag` names removed by a step that appear in a component's command line (PopulateRemovedCLIFlags),
 * and the removed feature gates / admission plugins it enables (PopulateRemoved{FeatureGates,AdmissionPlugins}).
 */
export function removedArgsInUse(args: string[], removed: { flags?: string[]; featureGates?: string[]; admissionPlugins?: string[] }): { flags: string[]; featureGates: string[]; admissionPlugins: string[] } {
  const keys = args.map((a) => a.split("=")[0]!);
  const flags = (removed.flags ?? []).filter((f) => keys.includes(`--${f}`));
  const gatesArg = args.find((a) => a.startsWith("--feature-gates"));
  const gates = gatesArg ? gatesArg.replace(/^--feature-gates=/, "").split(",").map((g) => g.split("=")[0]!) : [];
  const pluginsArg = args.find((a) => a.startsWith("--enable-admission-plugins"));
  const plugins = pluginsArg ? pluginsArg.replace(/^--enable-admission-plugins=/, "").split(",") : [];
  return {
    flags,
    featureGates: (removed.featureGates ?? []).filter((g) => gates.includes(g)),
    admissionPlugins: (removed.admissionPlugins ?? []).filter((p) => plugins.includes(p)),
  };
}

/** SupportsSSAManifestSync: Talos 1.13+ syncs the bootstrap manifests with server-side apply (older: the legacy create/update sync). */
export function supportsSsaManifestSync(talosVersion: string): boolean {
  const v = parseTalosVersion(talosVersion);
  return v !== null && (v.major > 1 || (v.major === 1 && v.minor >= 13));
}

/** ImageService/Pull came with the lifecycle API (after v1.13.0-alpha.2); older nodes only have the legacy MachineService/ImagePull. */
export function supportsImageService(talosVersion: string): boolean {
  return upgradePathFor(talosVersion) === "lifecycle";
}
