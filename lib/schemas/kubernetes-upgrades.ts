import { z } from "zod";

import { bareKubernetesVersion, parseKubernetesVersion } from "@/lib/talos/kubernetes";

import { upgradeActionParamsSchema, upgradeCheckSchema, upgradeIdParamsSchema, upgradeListQuerySchema, upgradeMessageSchema, upgradePlanStateSchema, upgradeProgressSchema } from "./upgrades";

// Kubernetes upgrades (the flow of `talosctl upgrade-k8s`): the request, the preview, the
// persisted plan with its steps, and the SSE event. The runner is lib/server/kubernetes-upgrades.

/** "1.34.1" or "v1.34.1", kept without the "v" (as upgrade-k8s does); images and kubelets add it back. */
export const kubernetesVersionSchema = z
  .string()
  .trim()
  .refine((v) => parseKubernetesVersion(v) !== null && /^v?\d+\.\d+\.\d+/.test(v), "must be a Kubernetes version like 1.34.1 or v1.34.1")
  .transform(bareKubernetesVersion);

/** POST /api/kubernetes-upgrades and POST /api/kubernetes-upgrades/plan. */
export const kubernetesUpgradeRequestSchema = z.strictObject({
  cluster: z.string().trim().min(1),
  version: kubernetesVersionSchema,
  /** Pull the new images on the nodes first (upgrade-k8s --pre-pull-images, default true). */
  prePullImages: z.boolean().default(true),
  /** Upgrade the kubelets too (upgrade-k8s --upgrade-kubelet, default true). */
  upgradeKubelet: z.boolean().default(true),
  /** How long each component may take to come back on the new version (upgrade-k8s waits 5 minutes per static pod). */
  stepTimeoutSeconds: z.number().int().min(10).max(3600).default(300),
});
export type KubernetesUpgradeRequest = z.input<typeof kubernetesUpgradeRequestSchema>;
export type ParsedKubernetesUpgradeRequest = z.output<typeof kubernetesUpgradeRequestSchema>;

/** The options a plan keeps (the request without cluster and version). */
export const kubernetesUpgradeOptionsSchema = kubernetesUpgradeRequestSchema.pick({ prePullImages: true, upgradeKubelet: true, stepTimeoutSeconds: true });
export type KubernetesUpgradeOptions = z.output<typeof kubernetesUpgradeOptionsSchema>;

/**
 * What a step does, in upgrade-k8s's order: pre-pull on every node, then each static pod one
 * control plane at a time, kube-proxy (the config of each control plane), the kubelets (control
 * planes first) and the bootstrap manifests sync.
 */
export const kubernetesUpgradeStepKindSchema = z.enum(["pre-pull", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy", "kubelet", "manifests"]);
export type KubernetesUpgradeStepKind = z.infer<typeof kubernetesUpgradeStepKindSchema>;

/** `running`: the config patch (or pull, or apply) is under way; `waiting`: applied, waiting for the component on the new version. */
export const kubernetesUpgradeStepStateSchema = z.enum(["pending", "running", "waiting", "done", "failed", "skipped"]);
export type KubernetesUpgradeStepState = z.infer<typeof kubernetesUpgradeStepStateSchema>;

export const kubernetesUpgradeNodeSchema = z.object({
  /** `address@cluster`. */
  id: z.string(),
  address: z.string(),
  hostname: z.string().nullable(),
  role: z.enum(["controlplane", "worker"]),
  talosVersion: z.string().nullable(),
  /** What the Node reports (status.nodeInfo.kubeletVersion), null when unknown. */
  kubeletVersion: z.string().nullable(),
});
export type KubernetesUpgradeNode = z.infer<typeof kubernetesUpgradeNodeSchema>;

/** A step as planned. */
export const plannedKubernetesStepSchema = z.object({
  index: z.number().int(),
  kind: kubernetesUpgradeStepKindSchema,
  /** The node ID the step works on; null for the cluster-wide manifests sync. */
  node: z.string().nullable(),
  address: z.string().nullable(),
  hostname: z.string().nullable(),
  /** The images the step sets or pulls. */
  images: z.array(z.string()),
  /** A line for the preview, e.g. "kube-apiserver on cp-1: registry.k8s.io/kube-apiserver:v1.34.1". */
  description: z.string(),
});
export type PlannedKubernetesStep = z.infer<typeof plannedKubernetesStepSchema>;

/** Resources of an API version the target removes that the cluster still has (PopulateRemovedAPIResources). */
export const removedResourceSchema = z.object({ resource: z.string(), count: z.number().int() });

/** POST /api/kubernetes-upgrades/plan: nothing started. */
export const kubernetesUpgradePreviewSchema = z.object({
  cluster: z.string(),
  /** The lowest version the control-plane components run now (DetectLowestVersion), null when unknown. */
  fromVersion: z.string().nullable(),
  toVersion: z.string(),
  /** "1.33->1.34". */
  path: z.string().nullable(),
  options: kubernetesUpgradeOptionsSchema,
  nodes: z.array(kubernetesUpgradeNodeSchema),
  steps: z.array(plannedKubernetesStepSchema),
  /** How the bootstrap manifests are synced: server-side apply when every node runs Talos 1.13+. */
  manifestsSync: z.enum(["server-side-apply", "legacy"]),
  removedResources: z.array(removedResourceSchema),
  checks: z.array(upgradeCheckSchema),
  canStart: z.boolean(),
});
export type KubernetesUpgradePreview = z.infer<typeof kubernetesUpgradePreviewSchema>;

export const kubernetesUpgradeMessageSchema = upgradeMessageSchema;

export const kubernetesUpgradeStepSchema = plannedKubernetesStepSchema.extend({
  state: kubernetesUpgradeStepStateSchema,
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  stateChangedAt: z.iso.datetime().nullable(),
  /** Times a runner began this step (a restart mid-step resumes it, counting again). */
  attempts: z.number().int(),
  error: z.string().nullable(),
  /** Newest last, the last 50. */
  messages: z.array(kubernetesUpgradeMessageSchema),
});
export type KubernetesUpgradeStep = z.infer<typeof kubernetesUpgradeStepSchema>;

/** The same counts as a Talos upgrade's progress, over steps instead of nodes (percent of steps done; ETA from step durations). */
export const kubernetesUpgradeProgressSchema = upgradeProgressSchema;
export type KubernetesUpgradeProgress = z.infer<typeof kubernetesUpgradeProgressSchema>;

export const kubernetesUpgradePlanSchema = z.object({
  id: z.string(),
  cluster: z.string(),
  fromVersion: z.string().nullable(),
  toVersion: z.string(),
  options: kubernetesUpgradeOptionsSchema,
  manifestsSync: z.enum(["server-side-apply", "legacy"]),
  state: upgradePlanStateSchema,
  reason: z.string().nullable(),
  actor: z.string(),
  checks: z.array(upgradeCheckSchema),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  updatedAt: z.iso.datetime(),
  steps: z.array(kubernetesUpgradeStepSchema),
  progress: kubernetesUpgradeProgressSchema,
  /** The cluster manifest revision written with the new kubernetesVersion, once succeeded (null: no manifest, or not yet). */
  manifestRevision: z.number().int().nullable(),
});
export type KubernetesUpgradePlan = z.infer<typeof kubernetesUpgradePlanSchema>;

export const kubernetesUpgradeSummarySchema = kubernetesUpgradePlanSchema.omit({ steps: true, checks: true });
export type KubernetesUpgradeSummary = z.infer<typeof kubernetesUpgradeSummarySchema>;

export const kubernetesUpgradeListResponseSchema = z.object({ plans: z.array(kubernetesUpgradeSummarySchema) });
export type KubernetesUpgradeListResponse = z.infer<typeof kubernetesUpgradeListResponseSchema>;

// Same query and route params as Talos upgrades.
export const kubernetesUpgradeListQuerySchema = upgradeListQuerySchema;
export const kubernetesUpgradeIdParamsSchema = upgradeIdParamsSchema;
export const kubernetesUpgradeActionParamsSchema = upgradeActionParamsSchema;
export type KubernetesUpgradeAction = z.infer<typeof kubernetesUpgradeActionParamsSchema>["action"];

/** The `kubernetes-upgrade` event on GET /api/events: the whole plan after each persisted transition. */
export const kubernetesUpgradeEventSchema = z.object({ type: z.literal("kubernetes-upgrade"), plan: kubernetesUpgradePlanSchema });
export type KubernetesUpgradeEvent = z.infer<typeof kubernetesUpgradeEventSchema>;
