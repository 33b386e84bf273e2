import { z } from "zod";

import { dbIdSchema } from "@/lib/schemas/ids";
import { rolloutModeSchema } from "@/lib/schemas/configs";

// HTTP contracts of cluster manifests (issue 16). Every manifest or config text in a response is
// redacted for anyone but an admin who asks (secrets read '******'); a redacted manifest sent
// back gets the stored secret values merged back (patches by name, node patches by address).

/** A manifest in a request: the node's 4 MiB config limit is plenty for a cluster's inputs. */
export const manifestYamlSchema = z.string().min(1, "the manifest is empty").max(4 * 1024 * 1024, "the manifest is larger than 4 MiB");

/** `:cluster` in every route below: Minos's cluster id (GET /api/clusters). */
export const clusterParamsSchema = z.object({ cluster: z.string().min(1).max(253) });

/** Where the manifest (or a patch inside it) gave a problem; lines are the manifest's, 1-based. */
export const manifestIssueSchema = z.object({
  severity: z.enum(["error", "warning"]),
  message: z.string(),
  line: z.number().int().min(1),
  column: z.number().int().min(1),
  endLine: z.number().int().min(1),
  endColumn: z.number().int().min(1),
  /** Path in the manifest (["patches", 2, "patch"]) or, for a rendered config's problem, in the config. */
  path: z.array(z.union([z.string(), z.number()])),
  /** Hostnames of the nodes whose rendered config has this problem; empty for a manifest-level one. */
  nodes: z.array(z.string()),
});
export type ManifestIssue = z.infer<typeof manifestIssueSchema>;

/** GET /api/clusters/:cluster/manifest. */
export const manifestResponseSchema = z.object({ yaml: z.string(), revision: z.number().int().min(1) });
export type ManifestResponse = z.infer<typeof manifestResponseSchema>;

/** POST …/manifest/adopt body. */
export const adoptBodySchema = z.strictObject({ replace: z.boolean().optional() });

export const adoptNodeReportSchema = z.object({
  node: z.string(),
  hostname: z.string().optional(),
  reproduced: z.boolean(),
  /** Why not: unreadable ("node unreachable: …") or the config paths the render could not reproduce. */
  reason: z.string().optional(),
  paths: z.array(z.string()).optional(),
});
export const adoptReportSchema = z.object({ nodes: z.array(adoptNodeReportSchema) });
export type AdoptReport = z.infer<typeof adoptReportSchema>;
/** 200 answer; a 422 carries `{report}` in the error envelope's details. */
export const adoptResponseSchema = manifestResponseSchema.extend({ report: adoptReportSchema });

/** PUT …/manifest. */
export const putManifestBodySchema = z.strictObject({ yaml: manifestYamlSchema, baseRevision: dbIdSchema, message: z.string().max(500).optional() });
export const putManifestResponseSchema = z.object({ revision: z.number().int().min(1) });

/** POST …/manifest/validate: the manifest and every node's render, problems on manifest lines. */
export const validateManifestBodySchema = z.strictObject({ yaml: manifestYamlSchema });
export const validateManifestResponseSchema = z.object({ valid: z.boolean(), issues: z.array(manifestIssueSchema) });

/** POST …/manifest/render. `node`: Minos's node id, an address or a hostname of the manifest. */
export const renderBodySchema = z.strictObject({ yaml: manifestYamlSchema, node: z.string().min(1).max(300), reveal: z.boolean().optional() });
export const renderResponseSchema = z.object({
  node: z.string(),
  hostname: z.string(),
  config: z.string(),
  /** Unified diff, running → rendered (redacted); null when the node could not be read. */
  diff: z.string().nullable(),
  /** Why there is no diff. */
  runningError: z.string().optional(),
});

/** POST …/manifest/plan. */
export const planBodySchema = z.strictObject({ yaml: manifestYamlSchema, mode: rolloutModeSchema.default("auto") });
export const planChangeSchema = z.enum(["none", "update", "refused", "unreachable"]);
export const planNodeSchema = z.object({
  node: z.string(),
  hostname: z.string(),
  role: z.enum(["controlplane", "worker"]),
  change: planChangeSchema,
  reboot: z.boolean(),
  /** Unified diff running → rendered, redacted ("" for none). */
  diff: z.string(),
  /** Local validation problems, the node's warnings, or its refusal (Talos's words). */
  issues: z.array(z.string()),
});
export const planResponseSchema = z.object({
  planId: z.string(),
  cluster: z.string(),
  /** The manifest revision the plan was made against (null before adoption). */
  baseRevision: z.number().int().nullable(),
  mode: rolloutModeSchema,
  createdAt: z.string(),
  summary: z.object({ none: z.number(), update: z.number(), reboot: z.number(), refused: z.number(), unreachable: z.number() }),
  nodes: z.array(planNodeSchema),
  /** Node ids of the cluster that the manifest does not list: not planned, left as they are. */
  notInManifest: z.array(z.string()).optional(),
});
export type PlanResponse = z.infer<typeof planResponseSchema>;

/** POST …/manifest/apply. */
export const applyPlanBodySchema = z.strictObject({ planId: z.string().min(1).max(100), concurrency: z.number().int().min(1).max(50).optional() });
export const applyPlanResponseSchema = z.object({ rolloutId: z.string().nullable(), revision: z.number().int().min(1) });

/** GET …/manifest/revisions[/:id]. */
export const manifestRevisionSourceSchema = z.enum(["adopt", "edit", "apply", "restore"]);
export const manifestRevisionSchema = z.object({
  id: z.number().int(),
  cluster: z.string(),
  revision: z.number().int().min(1),
  author: z.string(),
  createdAt: z.string(),
  source: manifestRevisionSourceSchema,
  message: z.string(),
});
export const manifestRevisionListSchema = z.object({ revisions: z.array(manifestRevisionSchema) });
export const manifestRevisionParamsSchema = clusterParamsSchema.extend({ id: dbIdSchema });
/** `?against=<revision>`: the unified diff from that revision to this one. */
export const manifestRevisionQuerySchema = z.object({ against: dbIdSchema.optional() });
export const manifestRevisionDetailSchema = manifestRevisionSchema.extend({ yaml: z.string(), diff: z.string().optional() });

/** GET /api/clusters/:cluster/drift. */
export const clusterDriftNodeSchema = z.object({
  node: z.string(),
  hostname: z.string(),
  state: z.enum(["in-sync", "drifted", "unreachable", "not-in-manifest", "missing"]),
  /** Config paths that differ, e.g. "machine.sysctls.vm.max_map_count". */
  paths: z.array(z.string()),
  message: z.string().optional(),
});
export const clusterDriftResponseSchema = z.object({
  cluster: z.string(),
  revision: z.number().int().nullable(),
  checkedAt: z.string(),
  nodes: z.array(clusterDriftNodeSchema),
});

/** GET /api/clusters/:cluster/secrets [admin, audited]. */
export const clusterSecretsResponseSchema = z.object({ yaml: z.string() });
