import { z } from "zod";

import { validationModeSchema, validationResultSchema } from "@/lib/config/types";

/**
 * POST /api/config/validate body. `talosVersion` is a minor ("1.13") or a tag ("v1.13.9"); the
 * YAML itself is checked by the validator (malformed YAML is a result with issues, not a 400).
 */
export const validateConfigBodySchema = z.strictObject({
  /** Larger than MAX_CONFIG_BYTES is reported by the validator itself (one issue, line 1). */
  yaml: z.string(),
  talosVersion: z
    .string()
    .regex(/^v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.+-]*)?$/, "expected a Talos version such as 1.13 or v1.13.9")
    .optional(),
  mode: validationModeSchema.optional(),
  patch: z.boolean().optional(),
});
export type ValidateConfigBody = z.infer<typeof validateConfigBodySchema>;

/**
 * POST /api/config/validate response: the validator's result under a size ceiling (at most
 * MAX_ISSUES issues, errors first, long messages and path segments shortened; lib/config/bound.ts).
 * `valid` reflects every issue found; `issueCount` says how many that was.
 */
export const validateConfigResponseSchema = validationResultSchema.extend({
  /** True when issues were left out or shortened. */
  truncated: z.boolean(),
  issueCount: z.number().int().min(0),
});
export type ValidateConfigResponse = z.infer<typeof validateConfigResponseSchema>;

/** Request bodies up to the validator's 4 MiB config limit (MAX_CONFIG_BYTES) plus JSON escaping overhead. */
export const VALIDATE_MAX_BODY_BYTES = 5 * 1024 * 1024;
