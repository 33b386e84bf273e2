import { z } from "zod";

import { TALOS_MINORS } from "@/lib/talos/constants";

// The window is a Talos fact (lib/talos/constants); the schema of a minor is the config's.
export { LATEST_TALOS_MINOR, TALOS_MINORS } from "@/lib/talos/constants";
export const talosMinorSchema = z.enum(TALOS_MINORS);
export type TalosMinor = z.infer<typeof talosMinorSchema>;

/** `talosctl validate --mode`: without one, only the rules every mode shares apply. */
export const validationModeSchema = z.enum(["metal", "cloud", "container"]);
export type ValidationMode = z.infer<typeof validationModeSchema>;

/**
 * One problem in a config, as the editor, the API and the CLI all report it. Positions are
 * 1-based; `end*` is exclusive of nothing: the range covers [line:column, endLine:endColumn).
 */
export const configIssueSchema = z.object({
  severity: z.enum(["error", "warning"]),
  message: z.string(),
  /** Path inside the document, e.g. ["machine", "network", "interfaces", 0, "vip"]. */
  path: z.array(z.union([z.string(), z.number()])),
  /** 0-based index of the YAML document in the stream. */
  document: z.number().int().min(0),
  line: z.number().int().min(1),
  column: z.number().int().min(1),
  endLine: z.number().int().min(1),
  endColumn: z.number().int().min(1),
});
export type ConfigIssue = z.infer<typeof configIssueSchema>;

export const validationResultSchema = z.object({
  valid: z.boolean(),
  issues: z.array(configIssueSchema),
  /** The Talos version the rules were checked against. */
  talosVersion: talosMinorSchema,
});
export type ValidationResult = z.infer<typeof validationResultSchema>;

export interface ValidateOptions {
  /** A minor ("1.13") or a tag ("v1.13.9"); default LATEST_TALOS_MINOR. */
  talosVersion?: string;
  mode?: ValidationMode;
  /** Validate a patch: nothing required, `$patch: delete` allowed. */
  patch?: boolean;
}
