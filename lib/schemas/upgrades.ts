import { z } from "zod";

import { isTalosTag } from "@/lib/talos/version";
import { nodeDrainSchema } from "./drain";
import { DEFAULT_DRAIN_POLICY, drainPolicySchema } from "./kubernetes";
import { versionFromImage } from "@/lib/talos/upgrade";

/**
 * A node's progress through its upgrade (the runner's node state machine, lib/server/upgrades/machine.ts).
 * `draining` cordons and evicts before the reboot; `drain-blocked` waits for a person (retry,
 * force or skip the drain) while the plan stays live.
 */
export const upgradeNodeStateSchema = z.enum(["pending", "pulling", "installing", "draining", "drain-blocked", "rebooting", "waiting-healthy", "done", "failed", "skipped"]);
export type UpgradeNodeState = z.infer<typeof upgradeNodeStateSchema>;

/** A plan's state. `cancelling` waits for the node in flight, then becomes `cancelled`. */
export const upgradePlanStateSchema = z.enum(["pending", "running", "paused", "cancelling", "cancelled", "failed", "succeeded"]);
export type UpgradePlanState = z.infer<typeof upgradePlanStateSchema>;

export const upgradeStrategySchema = z.object({
  /** Workers upgraded at once (control planes always go one at a time). */
  maxParallelWorkers: z.number().int().min(1).max(100).default(1),
  /** How long a node may take from its reboot to passing the health gate. */
  healthTimeoutSeconds: z.number().int().min(5).max(7200).default(600),
  /** Halt the plan at the first failed node. Control-plane failures halt it regardless. */
  stopOnFailure: z.boolean().default(true),
  /** `powercycle` skips kexec (a full firmware reboot). */
  rebootMode: z.enum(["default", "powercycle"]).default("default"),
  /** Start despite unhealthy etcd (and skip Talos's own etcd checks on legacy upgrades). Risky. */
  force: z.boolean().default(false),
  /** Cordon and drain each node before its reboot (lifecycle path; Talos drains itself on the legacy one). */
  drain: drainPolicySchema.default(DEFAULT_DRAIN_POLICY),
});
export type UpgradeStrategy = z.infer<typeof upgradeStrategySchema>;

const versionTag = z.string().trim().refine((v) => isTalosTag(v), "must be a Talos version like v1.14.0");

/**
 * POST /api/upgrades and POST /api/upgrades/plan. Give the target `version` (the default installer
 * image is derived from it) or an installer `image` whose tag is the version, or both.
 */
export const upgradeRequestSchema = z
  .object({
    cluster: z.string().trim().min(1),
    version: versionTag.optional(),
    image: z.string().trim().min(1).max(512).optional(),
    /** Node IDs (`address@cluster`) or addresses; default every node of the cluster. */
    nodes: z.array(z.string().trim().min(1)).min(1).max(5000).optional(),
    strategy: upgradeStrategySchema.default(upgradeStrategySchema.parse({})),
  })
  .refine((b) => b.version !== undefined || b.image !== undefined, { message: "give a version or an installer image", path: ["version"] })
  .refine((b) => b.image === undefined || versionFromImage(b.image) !== null, {
    message: "the installer image needs a Talos version tag, e.g. …:v1.14.0",
    path: ["image"],
  })
  .refine((b) => b.image === undefined || b.version === undefined || versionFromImage(b.image) === `v${b.version.replace(/^v/, "")}`, {
    message: "the image's tag and the version disagree",
    path: ["image"],
  });
export type UpgradeRequest = z.input<typeof upgradeRequestSchema>;
export type ParsedUpgradeRequest = z.output<typeof upgradeRequestSchema>;

/** A pre-flight finding. `error` refuses the plan; `warn` is shown and allowed. */
export const upgradeCheckSchema = z.object({
  level: z.enum(["ok", "warn", "error"]),
  /** Stable code, e.g. `version_jump`, `unreachable`, `etcd`, `already_on_target`. */
  code: z.string(),
  message: z.string(),
  /** The node ID it concerns, if one. */
  node: z.string().optional(),
});
export type UpgradeCheck = z.infer<typeof upgradeCheckSchema>;

export const nodeRoleSchema = z.enum(["controlplane", "worker"]);

/** A node as planned: its place in the order and what it runs now. */
export const plannedNodeSchema = z.object({
  /** `address@cluster`. */
  id: z.string(),
  address: z.string(),
  hostname: z.string().nullable(),
  role: nodeRoleSchema,
  /** Batch index, 0-based: batches run one after the other. */
  batch: z.number().int(),
  /** Position in the overall order, 0-based. */
  position: z.number().int(),
  fromVersion: z.string().nullable(),
  /** Already on the target: it will be marked done without an upgrade. */
  alreadyOnTarget: z.boolean(),
  /** What will be done to it, in order, e.g. "pull …", "cordon + drain (300 s, halt)", "reboot", "uncordon". */
  steps: z.array(z.string()),
});
export type PlannedNode = z.infer<typeof plannedNodeSchema>;

export const upgradeBatchSchema = z.object({
  index: z.number().int(),
  role: nodeRoleSchema,
  nodes: z.array(z.string()),
});

/** POST /api/upgrades/plan: the dry run, nothing started. */
export const upgradePreviewSchema = z.object({
  cluster: z.string(),
  targetVersion: z.string(),
  image: z.string(),
  strategy: upgradeStrategySchema,
  nodes: z.array(plannedNodeSchema),
  batches: z.array(upgradeBatchSchema),
  checks: z.array(upgradeCheckSchema),
  /** False when a check is an error: POST /api/upgrades would refuse with `conflict`. */
  canStart: z.boolean(),
});
export type UpgradePreview = z.infer<typeof upgradePreviewSchema>;

export const upgradeMessageSchema = z.object({ at: z.iso.datetime(), text: z.string() });

export const upgradeNodeSchema = plannedNodeSchema.extend({
  state: upgradeNodeStateSchema,
  toVersion: z.string(),
  /** When the node left `pending`, and when it reached a final state. */
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  stateChangedAt: z.iso.datetime().nullable(),
  /** Times the runner began this node (a restart mid-node resumes, counting again). */
  attempts: z.number().int(),
  /** Boot identity before the reboot: BootID (1.14+) or `boot-time:<unix s>`. */
  bootIdBefore: z.string().nullable(),
  error: z.string().nullable(),
  /** The drain before its reboot: cordoned, drained, blocked (which pods, which PDBs), uncordoned. */
  drain: nodeDrainSchema.nullable(),
  /** Newest last, the last 50. */
  messages: z.array(upgradeMessageSchema),
});
export type UpgradeNode = z.infer<typeof upgradeNodeSchema>;

export const upgradeProgressSchema = z.object({
  total: z.number().int(),
  /** Nodes upgraded (or found already on the target). */
  done: z.number().int(),
  /** Nodes left out because the plan halted or was cancelled. */
  skipped: z.number().int(),
  failed: z.number().int(),
  inFlight: z.number().int(),
  /** Share of the nodes that are done, 0–100 (a halted plan stays below 100). */
  percent: z.number(),
  /** Seconds left from observed per-node durations; null until a node has finished. */
  etaSeconds: z.number().nullable(),
});
export type UpgradeProgress = z.infer<typeof upgradeProgressSchema>;

export const upgradePlanSchema = z.object({
  id: z.string(),
  cluster: z.string(),
  targetVersion: z.string(),
  image: z.string(),
  strategy: upgradeStrategySchema,
  state: upgradePlanStateSchema,
  /** Why it failed, was cancelled or paused; null while all is well. */
  reason: z.string().nullable(),
  actor: z.string(),
  checks: z.array(upgradeCheckSchema),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  updatedAt: z.iso.datetime(),
  nodes: z.array(upgradeNodeSchema),
  batches: z.array(upgradeBatchSchema),
  progress: upgradeProgressSchema,
});
export type UpgradePlan = z.infer<typeof upgradePlanSchema>;

/** GET /api/upgrades: plans newest first, without their nodes. */
export const upgradePlanSummarySchema = upgradePlanSchema.omit({ nodes: true, batches: true, checks: true });
export type UpgradePlanSummary = z.infer<typeof upgradePlanSummarySchema>;

export const upgradeListResponseSchema = z.object({ plans: z.array(upgradePlanSummarySchema) });
export type UpgradeListResponse = z.infer<typeof upgradeListResponseSchema>;

export const upgradeListQuerySchema = z.object({
  cluster: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const upgradeIdParamsSchema = z.object({ id: z.string().min(1).max(100) });
export const upgradeActionParamsSchema = upgradeIdParamsSchema.extend({ action: z.enum(["pause", "resume", "cancel"]) });
export type UpgradeAction = z.infer<typeof upgradeActionParamsSchema>["action"];

/** Per cluster, the plan in progress (what the fleet health's `upgrade` field shows). */
export const clusterUpgradeProgressSchema = z.object({
  planId: z.string(),
  done: z.number().int(),
  total: z.number().int(),
  state: upgradePlanStateSchema,
});
export type ClusterUpgradeProgress = z.infer<typeof clusterUpgradeProgressSchema>;

/** The `upgrade` event on GET /api/events: the whole plan after each persisted transition. */
export const upgradeEventSchema = z.object({ type: z.literal("upgrade"), plan: upgradePlanSchema });
export type UpgradeEvent = z.infer<typeof upgradeEventSchema>;
