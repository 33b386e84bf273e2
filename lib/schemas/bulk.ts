/**
 * Bulk actions: one action on a selection of one cluster's nodes (POST /api/bulk). Reboot,
 * service restart, cordon and uncordon run as a bulk run (persisted, resumable, with rollout
 * safety: control planes one at a time behind the etcd quorum guard, workers up to
 * `concurrency`, stop on the first failure). Upgrade and apply-patch hand the selection to the
 * Talos upgrade and config rollout machinery, which has that safety already.
 */
import { z } from "zod";

import { BULK_ACTION_ROLE, BULK_ACTIONS } from "@/lib/schemas/values";
import { DEFAULT_DRAIN_POLICY, drainPolicySchema } from "@/lib/schemas/kubernetes";
import { nodeSelectorSchema, SELECTOR_LIMITS } from "@/lib/schemas/selector";
import { isTalosTag } from "@/lib/talos/version";

export const bulkActionSchema = z.enum(BULK_ACTIONS);
export type BulkAction = z.infer<typeof bulkActionSchema>;

/** The actions a bulk run drives itself; the others are handed to their own runners. */
export const BULK_RUN_ACTIONS = ["reboot", "service-restart", "cordon", "uncordon"] as const satisfies readonly BulkAction[];
export type BulkRunAction = (typeof BULK_RUN_ACTIONS)[number];

export { BULK_ACTION_ROLE };

const common = {
  /** Which nodes; `nodes` is a shorthand for `selector: {nodes}`. */
  selector: nodeSelectorSchema.optional(),
  nodes: z.array(z.string().trim().min(1).max(SELECTOR_LIMITS.nodeName)).min(1).max(SELECTOR_LIMITS.nodes).optional(),
  /** Workers acted on at once; control planes always go one at a time. */
  concurrency: z.number().int().min(1).max(16).default(1),
  /** Go on with the other nodes after one fails (the failure is still reported). */
  continueOnFailure: z.boolean().default(false),
  /** Resolve the selection and answer the plan; nothing starts. */
  dryRun: z.boolean().default(false),
};

const serviceId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][-A-Za-z0-9_.]*$/, "must be a Talos service id like kubelet");

export const createBulkBodySchema = z
  .discriminatedUnion("action", [
    z.strictObject({ ...common, action: z.literal("reboot"), mode: z.enum(["default", "powercycle"]).default("default"), drain: drainPolicySchema.default(DEFAULT_DRAIN_POLICY) }),
    z.strictObject({ ...common, action: z.literal("service-restart"), service: serviceId }),
    z.strictObject({ ...common, action: z.literal("cordon") }),
    z.strictObject({ ...common, action: z.literal("uncordon") }),
    z.strictObject({
      ...common,
      action: z.literal("upgrade"),
      version: z.string().trim().refine((v) => isTalosTag(v), "must be a Talos version like v1.14.0"),
      image: z.string().trim().min(1).max(512).optional(),
    }),
    z.strictObject({
      ...common,
      action: z.literal("apply-patch"),
      /** A Talos patch (strategic merge YAML or RFC 6902 JSON patch) applied to each node's running config. */
      patch: z.string().min(1).max(256 * 1024),
      mode: z.enum(["auto", "no-reboot", "reboot", "staged"]).default("auto"),
    }),
  ])
  .refine((b) => b.selector !== undefined || b.nodes !== undefined, { message: "give a selector or a list of nodes", path: ["selector"] });
export type CreateBulkBody = z.input<typeof createBulkBodySchema>;
export type ParsedBulkBody = z.output<typeof createBulkBodySchema>;

/** A bulk run's parameters as stored (what the action needs beyond the nodes). */
export const bulkParamsSchema = z.object({
  mode: z.enum(["default", "powercycle"]).optional(),
  service: z.string().optional(),
  drain: drainPolicySchema.optional(),
});
export type BulkParams = z.infer<typeof bulkParamsSchema>;

export const bulkNodeStateSchema = z.enum(["pending", "running", "waiting-healthy", "done", "failed", "skipped"]);
export type BulkNodeState = z.infer<typeof bulkNodeStateSchema>;

/** `running` → `done` | `failed` (stopped at a failure; resume continues) | `paused` | `cancelled`. */
export const bulkRunStateSchema = z.enum(["running", "paused", "done", "failed", "cancelled"]);
export type BulkRunState = z.infer<typeof bulkRunStateSchema>;

export const bulkNodeSchema = z.object({
  id: z.string(),
  hostname: z.string().nullable(),
  role: z.enum(["controlplane", "worker"]),
  state: bulkNodeStateSchema,
  message: z.string(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});
export type BulkNode = z.infer<typeof bulkNodeSchema>;

export const bulkRunSchema = z.object({
  id: z.string(),
  cluster: z.string(),
  action: bulkActionSchema,
  params: bulkParamsSchema,
  selector: nodeSelectorSchema,
  /** The selector in words, for lists and confirmations. */
  selection: z.string(),
  state: bulkRunStateSchema,
  author: z.string(),
  concurrency: z.number().int(),
  continueOnFailure: z.boolean(),
  /** Why the run stopped, or how it ended. */
  message: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  nodes: z.array(bulkNodeSchema),
});
export type BulkRun = z.infer<typeof bulkRunSchema>;

/** One planned node: the order it goes in and the batch it shares with others. */
export const bulkPlanNodeSchema = z.object({
  id: z.string(),
  hostname: z.string().nullable(),
  role: z.enum(["controlplane", "worker"]),
  talosVersion: z.string().nullable(),
  /** 0-based: control planes each alone, then workers `concurrency` at a time. */
  batch: z.number().int(),
});

export const bulkPlanSchema = z.object({
  cluster: z.string(),
  action: bulkActionSchema,
  selection: z.string(),
  nodes: z.array(bulkPlanNodeSchema),
  /** What will happen, in order, in words (the confirm dialog shows them). */
  steps: z.array(z.string()),
  /** Where the work goes: a bulk run, or the Talos upgrade / config rollout machinery. */
  runner: z.enum(["bulk", "talos-upgrade", "config-rollout"]),
});
export type BulkPlan = z.infer<typeof bulkPlanSchema>;

/** POST /api/bulk response: the plan (dryRun), the bulk run, or the upgrade plan / rollout it handed the work to. */
export const createBulkResponseSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("plan"), plan: bulkPlanSchema }),
  z.object({ kind: z.literal("bulk"), run: bulkRunSchema }),
  z.object({ kind: z.literal("talos-upgrade"), id: z.string(), href: z.string() }),
  z.object({ kind: z.literal("config-rollout"), id: z.string(), href: z.string() }),
]);
export type CreateBulkResponse = z.infer<typeof createBulkResponseSchema>;

export const bulkListResponseSchema = z.object({ runs: z.array(bulkRunSchema.omit({ nodes: true })) });
export type BulkListResponse = z.infer<typeof bulkListResponseSchema>;

export const bulkRunActionSchema = z.enum(["pause", "resume", "cancel"]);
export type BulkRunActionName = z.infer<typeof bulkRunActionSchema>;

export const bulkIdParamsSchema = z.object({ id: z.string().min(1).max(64) });
