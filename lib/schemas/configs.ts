import { z } from "zod";

import { nodeDrainSchema } from "./drain";
import { DEFAULT_DRAIN_POLICY, drainPolicySchema } from "./kubernetes";
import { configIssueSchema } from "@/lib/config/types";
import { dbIdSchema } from "@/lib/schemas/ids";
import { clusterSelectorSchema } from "@/lib/schemas/selector";

// HTTP contracts of config push (issue 6): preflight, apply, revisions, rollback, drift and
// rollouts. Every YAML text in a response is redacted (secrets read '******'); request YAML may
// be redacted too: the server merges the node's own secrets back before anything is sent.

/**
 * How a node takes a new config (ApplyConfiguration's Mode). `reboot` is refused by Talos 1.14+
 * outside maintenance; `auto` resolves to `no-reboot` on 1.14+ and to `no-reboot` or `reboot`
 * on older nodes, depending on what changed.
 */
export const applyModeSchema = z.enum(["auto", "no-reboot", "staged", "try", "reboot"]);
export type ApplyMode = z.infer<typeof applyModeSchema>;

/** TRY mode: seconds before the node reverts unless kept. Talos's default is 60. */
export const tryTimeoutSecondsSchema = z.number().int().min(10).max(3600);
export const DEFAULT_TRY_TIMEOUT_SECONDS = 120;

/** Config text in a request; the node itself refuses more than its 32 MiB message limit. */
const yamlBodySchema = z.string().min(1, "the config is empty").max(4 * 1024 * 1024);

// ---------------------------------------------------------------------------------------------
// Preflight
// ---------------------------------------------------------------------------------------------

/** POST /api/nodes/:node/config/preflight body. */
export const preflightBodySchema = z.strictObject({
  yaml: yamlBodySchema,
  mode: applyModeSchema.default("auto"),
  /** Only for `try`: shapes the effect text ("applied for 2 min, then reverted unless kept"). */
  tryTimeoutSeconds: tryTimeoutSecondsSchema.optional(),
});
export type PreflightBody = z.input<typeof preflightBodySchema>;

/**
 * POST /api/nodes/:node/config/preflight response (also a rollback's and a drift re-apply's
 * preview). Local validation failures and unresolved secret markers are a 422 instead; a node
 * that refuses the config is `ok: false` here, with its reason in `verdict`.
 */
export const preflightResponseSchema = z.object({
  node: z.string(),
  /** The node accepted the dry run: this config can be applied in this mode. */
  ok: z.boolean(),
  /** One line for a human: "The node accepts this config." or the node's refusal, verbatim. */
  verdict: z.string(),
  /** Warnings from local validation and from the node. */
  warnings: z.array(z.string()),
  /** The mode the operator asked for. */
  requestedMode: applyModeSchema,
  /** The mode the node will use (AUTO resolves to no-reboot or reboot); null when refused. */
  mode: applyModeSchema.nullable(),
  /** The node's mode text without its (unredacted) diff, e.g. "Applied configuration without a reboot (skipped in dry-run)." */
  modeDetails: z.string(),
  /** In plain words: "applies now without a reboot", "staged until the next reboot", "applied for 2 min, then reverted unless kept", "reboots the node". */
  effect: z.string(),
  /** The node will reboot to take this config. */
  reboots: z.boolean(),
  /** Unified diff of the redacted running config (`--- running`) against the redacted new one (`+++ new`); "" when nothing changes. A changed secret shows as `'******' # changed`. */
  diff: z.string(),
  /** Nothing would change. */
  unchanged: z.boolean(),
  /** Paths (dotted, e.g. "machine.token") of secrets whose value changes. */
  changedSecrets: z.array(z.string()),
  runningYaml: z.string(),
  newYaml: z.string(),
  /** The node's Talos version tag, as the config was validated against. */
  talosVersion: z.string().nullable(),
  /** Whether `reboot` can be chosen on this node's version (Talos ≤ 1.13). */
  rebootModeAvailable: z.boolean(),
});
export type PreflightResponse = z.infer<typeof preflightResponseSchema>;

/** details of a 422 `invalid_config` from preflight or apply: the local validator's issues. */
export const invalidConfigDetailsSchema = z.object({
  issues: z.array(configIssueSchema).optional(),
  /** Secret markers that could not be filled from the node's running config. */
  unresolved: z.array(z.string()).optional(),
  node: z.string().optional(),
});

// ---------------------------------------------------------------------------------------------
// Revisions
// ---------------------------------------------------------------------------------------------

/**
 * What became of an applied config. `pending` while the apply is in flight (written before it
 * starts, so a crash leaves a trace); `trying` until a TRY apply is kept (a later non-TRY apply)
 * or reverted by the node; `failed` when the node refused or failed the apply.
 */
export const revisionResultSchema = z.enum(["pending", "applied", "staged", "trying", "kept", "reverted", "failed"]);
export type RevisionResult = z.infer<typeof revisionResultSchema>;

/** How the revision came to be. */
export const revisionSourceSchema = z.enum(["apply", "rollback", "rollout", "adopt", "reapply", "kubernetes-upgrade"]);
export type RevisionSource = z.infer<typeof revisionSourceSchema>;

export const revisionSummarySchema = z.object({
  id: z.number().int(),
  node: z.string(),
  author: z.string(),
  at: z.iso.datetime(),
  /** The mode the node used; null for an adopted (not applied) config. */
  mode: applyModeSchema.nullable(),
  result: revisionResultSchema,
  source: revisionSourceSchema,
  /** The node's message (mode details, or the error of a failed apply). */
  message: z.string(),
  /** SHA-256 of the config's canonical form, to tell identical revisions apart at a glance. */
  configHash: z.string(),
  /** The revision this one rolled back to. */
  rollbackOf: z.number().int().nullable(),
  rolloutId: z.string().nullable(),
  /** TRY: when the node reverts unless kept. */
  tryUntil: z.iso.datetime().nullable(),
});
export type RevisionSummary = z.infer<typeof revisionSummarySchema>;

/** GET /api/nodes/:node/config/revisions – newest first. */
export const revisionListResponseSchema = z.object({
  node: z.string(),
  revisions: z.array(revisionSummarySchema),
});
export type RevisionListResponse = z.infer<typeof revisionListResponseSchema>;

export const revisionListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** GET /api/nodes/:node/config/revisions/:id – one revision with its config, redacted. */
export const revisionDetailSchema = revisionSummarySchema.extend({ yaml: z.string() });
export type RevisionDetail = z.infer<typeof revisionDetailSchema>;

/** GET /api/nodes/:node/config/revisions/diff?from=&to= – `to` may be "running" (the node now). */
export const revisionDiffQuerySchema = z.object({
  from: dbIdSchema,
  to: z.union([z.literal("running"), dbIdSchema]),
});
export const revisionDiffResponseSchema = z.object({
  node: z.string(),
  from: z.number().int(),
  to: z.union([z.number().int(), z.literal("running")]),
  diff: z.string(),
  unchanged: z.boolean(),
  changedSecrets: z.array(z.string()),
  fromYaml: z.string(),
  toYaml: z.string(),
});
export type RevisionDiffResponse = z.infer<typeof revisionDiffResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Apply, rollback
// ---------------------------------------------------------------------------------------------

/** A single-node apply drains within its request: the drain may wait at most this long. */
export const SINGLE_NODE_DRAIN_MAX_SECONDS = 600;

/**
 * The drain before a single-node apply that reboots (apply, rollback, drift re-apply); absent
 * means DEFAULT_DRAIN_POLICY. The request waits for the drain, hence the shorter cap.
 */
export const singleNodeDrainSchema = drainPolicySchema.extend({
  timeoutSeconds: z.number().int().min(10).max(SINGLE_NODE_DRAIN_MAX_SECONDS).default(300),
});

/** POST /api/nodes/:node/config/apply body. */
export const applyBodySchema = z.strictObject({
  yaml: yamlBodySchema,
  mode: applyModeSchema.default("auto"),
  tryTimeoutSeconds: tryTimeoutSecondsSchema.optional(),
  drain: singleNodeDrainSchema.optional(),
});
export type ApplyBody = z.input<typeof applyBodySchema>;

/**
 * POST /api/nodes/:node/config/apply response (also rollback and drift re-apply). A refused
 * config is a 422, an apply in flight a 409; a failure after the node accepted is recorded as a
 * failed revision and reported with the node's error code.
 */
export const applyResponseSchema = z.object({
  node: z.string(),
  result: revisionResultSchema,
  /** The mode the node used. */
  mode: applyModeSchema,
  modeDetails: z.string(),
  effect: z.string(),
  warnings: z.array(z.string()),
  revision: revisionSummarySchema,
  /** TRY: when the node reverts unless kept (re-apply the same config without TRY). */
  tryUntil: z.iso.datetime().optional(),
});
export type ApplyResponse = z.infer<typeof applyResponseSchema>;

/** POST /api/nodes/:node/config/revisions/:id/(preflight|rollback) body. */
export const rollbackBodySchema = z.strictObject({
  mode: applyModeSchema.default("auto"),
  tryTimeoutSeconds: tryTimeoutSecondsSchema.optional(),
  drain: singleNodeDrainSchema.optional(),
});
export type RollbackBody = z.input<typeof rollbackBodySchema>;

// ---------------------------------------------------------------------------------------------
// Drift
// ---------------------------------------------------------------------------------------------

/**
 * GET /api/nodes/:node/config/drift – the node's running config against its last config from
 * Minos. `drifted` is null when Minos never applied a config to the node (nothing to compare).
 */
export const driftResponseSchema = z.object({
  node: z.string(),
  drifted: z.boolean().nullable(),
  /** Redacted unified diff, last revision (`--- minos`) → running (`+++ running`). */
  diff: z.string(),
  changedSecrets: z.array(z.string()),
  runningHash: z.string(),
  /** The revision compared against (the last applied, kept or adopted one). */
  revisionId: z.number().int().nullable(),
  revisionHash: z.string().nullable(),
  checkedAt: z.iso.datetime(),
});
export type DriftResponse = z.infer<typeof driftResponseSchema>;

/** POST /api/nodes/:node/config/drift/adopt – record the running config as a new revision. */
export const adoptDriftResponseSchema = z.object({ node: z.string(), revision: revisionSummarySchema });
export type AdoptDriftResponse = z.infer<typeof adoptDriftResponseSchema>;

/** POST /api/nodes/:node/config/drift/reapply – apply the last revision again (→ applyResponseSchema). */
export const reapplyDriftBodySchema = rollbackBodySchema;

// ---------------------------------------------------------------------------------------------
// Rollouts
// ---------------------------------------------------------------------------------------------

/**
 * Which nodes a rollout covers: Minos's selector grammar (lib/schemas/selector.ts) with the
 * cluster required. The original shape `{cluster, role?, nodes?: IDs}` is a selector as it is.
 * Without `labels`: they live in the cluster manifest, whose own rollouts are its plans' applies
 * (a bulk apply-patch selects by them).
 */
export const rolloutTargetSchema = clusterSelectorSchema.omit({ labels: true });
export type RolloutTarget = z.infer<typeof rolloutTargetSchema>;

/** TRY reverts by design, so a rollout of it would undo itself: not offered. */
export const rolloutModeSchema = applyModeSchema.exclude(["try"]);
export type RolloutMode = z.infer<typeof rolloutModeSchema>;

/** How a rollout treats the nodes it reboots (the drain policy Talos upgrades share). */
export const rolloutStrategySchema = z.strictObject({ drain: drainPolicySchema.default(DEFAULT_DRAIN_POLICY) });
export type RolloutStrategy = z.output<typeof rolloutStrategySchema>;

/** POST /api/rollouts body. */
export const createRolloutBodySchema = z.strictObject({
  yaml: yamlBodySchema,
  target: rolloutTargetSchema,
  mode: rolloutModeSchema.default("auto"),
  /** Workers applied at once; control planes always go one at a time. */
  concurrency: z.number().int().min(1).max(16).default(1),
  /** Go on with the other nodes after a node fails (the failure is still reported). */
  continueOnFailure: z.boolean().default(false),
  /** Nodes whose mode reboots are cordoned and drained before their apply, uncordoned once healthy. */
  strategy: rolloutStrategySchema.default({ drain: DEFAULT_DRAIN_POLICY }),
});
export type CreateRolloutBody = z.input<typeof createRolloutBodySchema>;

export const rolloutNodeStateSchema = z.enum([
  "pending",
  "preflight-ok",
  "preflight-failed",
  /** A node whose mode reboots: cordoned and drained before its apply. */
  "draining",
  /** Its drain waits for a person (retry, force or skip); nothing else starts meanwhile. */
  "drain-blocked",
  "applying",
  "waiting-healthy",
  "done",
  "failed",
  "skipped",
]);
export type RolloutNodeState = z.infer<typeof rolloutNodeStateSchema>;

/**
 * `preflight-failed`: some target refused the dry run, nothing was applied. `running` →
 * `done`, or `failed` (stopped at a failed node; `resume` continues with the rest), `paused`
 * (no new node starts), `cancelled` (the remaining nodes are skipped).
 */
export const rolloutStateSchema = z.enum(["preflight", "preflight-failed", "running", "paused", "done", "failed", "cancelled"]);
export type RolloutState = z.infer<typeof rolloutStateSchema>;

export const rolloutNodeSchema = z.object({
  id: z.string(),
  role: z.enum(["controlplane", "worker"]),
  state: rolloutNodeStateSchema,
  /** The reason for a failure or skip, or the node's mode text once applied. */
  message: z.string(),
  /** The mode the node will use / used (from its preflight). */
  mode: applyModeSchema.nullable(),
  revisionId: z.number().int().optional(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  /** The drain around its reboot (modes that reboot only): which pods and PDBs block it, when blocked. */
  drain: nodeDrainSchema.nullable().optional(),
});
export type RolloutNode = z.infer<typeof rolloutNodeSchema>;

export const rolloutSchema = z.object({
  id: z.string(),
  state: rolloutStateSchema,
  author: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  target: rolloutTargetSchema,
  mode: rolloutModeSchema,
  concurrency: z.number().int(),
  continueOnFailure: z.boolean(),
  configHash: z.string(),
  /** Why the rollout stopped, when it did. */
  message: z.string(),
  /** The cluster manifest revision it applies, when it is a manifest plan's apply (each node its own config). */
  manifestRevision: z.number().int().nullable().optional(),
  strategy: rolloutStrategySchema.optional(),
  nodes: z.array(rolloutNodeSchema),
});
export type Rollout = z.infer<typeof rolloutSchema>;

/** GET /api/rollouts – newest first, without the config text. */
export const rolloutListResponseSchema = z.object({ rollouts: z.array(rolloutSchema) });
export type RolloutListResponse = z.infer<typeof rolloutListResponseSchema>;

/** POST /api/rollouts/:id/:action. `resume` also continues a rollout stopped at a failed node. */
export const rolloutActionSchema = z.enum(["pause", "resume", "cancel"]);
export type RolloutAction = z.infer<typeof rolloutActionSchema>;

/** GET /api/rollouts/:id and POST /api/rollouts – the rollout with its manifest, redacted. */
export const rolloutDetailSchema = rolloutSchema.extend({ yaml: z.string() });
export type RolloutDetail = z.infer<typeof rolloutDetailSchema>;
