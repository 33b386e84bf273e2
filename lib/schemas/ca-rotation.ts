import { z } from "zod";

import { upgradePlanStateSchema } from "./upgrades";

// CA rotation (the flow of `talosctl rotate-ca`): the request, the dry run, the persisted run with
// its steps. The runner is lib/server/ca-rotation.

/** POST /api/ca-rotations and POST /api/ca-rotations/dry-run. */
export const caRotationRequestSchema = z
  .strictObject({
    cluster: z.string().trim().min(1),
    /** Rotate the Talos API CA (`machine.ca`), rotate-ca --talos (default true). */
    talos: z.boolean().default(true),
    /** Rotate the Kubernetes API CA (`cluster.ca`), rotate-ca --kubernetes (default true). */
    kubernetes: z.boolean().default(true),
    /** How long each verification may retry (Talos: 10 s per node for its API, 3 min for Kubernetes). */
    verifyTimeoutSeconds: z.number().int().min(5).max(1800).default(180),
  })
  .refine((r) => r.talos || r.kubernetes, { message: "choose the Talos API CA, the Kubernetes API CA, or both", path: ["talos"] });
export type CaRotationRequest = z.input<typeof caRotationRequestSchema>;
export type ParsedCaRotationRequest = z.output<typeof caRotationRequestSchema>;

/** Which API a step is about; `minos` is the final replacement of Minos's own talosconfig. */
export const caRotationApiSchema = z.enum(["talos", "kubernetes", "minos"]);
export type CaRotationApi = z.infer<typeof caRotationApiSchema>;

/**
 * rotate-ca's phases, per API: verify with the existing PKI, add the new CA as accepted, verify
 * (Talos: new client certificate, old server CA), make the new CA the issuer with the old one
 * accepted, verify with the new PKI, drop the old CA, verify again; then Minos's talosconfig.
 */
export const caRotationStepKindSchema = z.enum(["verify-existing", "accept", "verify-intermediate", "swap", "verify-new", "drop", "verify-final", "replace-talosconfig"]);
export type CaRotationStepKind = z.infer<typeof caRotationStepKindSchema>;

export const caRotationStepStateSchema = z.enum(["pending", "running", "waiting", "done", "failed", "skipped"]);
export type CaRotationStepState = z.infer<typeof caRotationStepStateSchema>;

export const caRotationNodeSchema = z.object({
  address: z.string(),
  hostname: z.string().nullable(),
  role: z.enum(["controlplane", "worker"]),
});
export type CaRotationNode = z.infer<typeof caRotationNodeSchema>;

/** A step as planned: a patch of one node's config, or a check of every node. */
export const plannedCaRotationStepSchema = z.object({
  index: z.number().int(),
  api: caRotationApiSchema,
  kind: caRotationStepKindSchema,
  /** The node a patch step changes; null for the verifications and the talosconfig. */
  address: z.string().nullable(),
  hostname: z.string().nullable(),
  /** A line for the dry run, naming CAs by subject and fingerprint, never a key. */
  description: z.string(),
});
export type PlannedCaRotationStep = z.infer<typeof plannedCaRotationStepSchema>;

/** A CA as shown: never its key. */
export const caSummarySchema = z.object({ subject: z.string(), fingerprint: z.string(), notAfter: z.string() });
export type CaSummary = z.infer<typeof caSummarySchema>;

/** POST /api/ca-rotations/dry-run: what a run would do; nothing is changed. */
export const caRotationDryRunSchema = z.object({
  cluster: z.string(),
  talos: z.boolean(),
  kubernetes: z.boolean(),
  nodes: z.array(caRotationNodeSchema),
  current: z.object({ talos: caSummarySchema.nullable(), kubernetes: caSummarySchema.nullable() }),
  /** Where Minos's new talosconfig goes: the cluster's upload is replaced, or a file context is overridden by an upload. */
  talosconfig: z.enum(["replace-upload", "override-file"]).nullable(),
  steps: z.array(plannedCaRotationStepSchema),
  /** Why a run would be refused (an unreachable node, a node whose config is not v1alpha1, …). */
  problems: z.array(z.string()),
});
export type CaRotationDryRun = z.infer<typeof caRotationDryRunSchema>;

export const caRotationStepSchema = plannedCaRotationStepSchema.extend({
  state: caRotationStepStateSchema,
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  /** What the step saw, e.g. "already applied (resumed)". */
  message: z.string().nullable(),
});
export type CaRotationStep = z.infer<typeof caRotationStepSchema>;

export const caRotationSummarySchema = z.object({
  id: z.string(),
  cluster: z.string(),
  talos: z.boolean(),
  kubernetes: z.boolean(),
  state: upgradePlanStateSchema,
  reason: z.string().nullable(),
  actor: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** The new CAs (subjects and fingerprints). */
  newCas: z.object({ talos: caSummarySchema.nullable(), kubernetes: caSummarySchema.nullable() }),
  stepsDone: z.number().int(),
  stepsTotal: z.number().int(),
});
export type CaRotationSummary = z.infer<typeof caRotationSummarySchema>;

export const caRotationSchema = caRotationSummarySchema.extend({
  nodes: z.array(caRotationNodeSchema),
  steps: z.array(caRotationStepSchema),
  /** How to go back from where the run stopped (set on a failed or cancelled run). */
  wayBack: z.string().nullable(),
});
export type CaRotation = z.infer<typeof caRotationSchema>;

export const caRotationListSchema = z.object({ rotations: z.array(caRotationSummarySchema) });
export const caRotationListQuerySchema = z.object({
  cluster: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const caRotationIdParamsSchema = z.object({ id: z.string().uuid() });
export const caRotationActionSchema = z.enum(["pause", "resume", "cancel"]);
export type CaRotationAction = z.infer<typeof caRotationActionSchema>;
export const caRotationActionParamsSchema = z.object({ id: z.string().uuid(), action: caRotationActionSchema });
