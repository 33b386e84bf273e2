/**
 * The one place the editor imports lib/config from (validator, JSON Schema, version mapping),
 * so the main thread and the validation worker run the same code as the API and the CLI.
 */
import { isRedactedAt, REDACTED } from "@/lib/config/redact";
import { toTalosMinor as parseTalosMinor } from "@/lib/config/schema";
import { LATEST_TALOS_MINOR, type TalosMinor, type ValidationResult } from "@/lib/config/types";
import { validateConfig } from "@/lib/config/validate";

export { configJsonSchema } from "@/lib/config/schema";
export { validateConfig };

/** A version tag or minor → the Talos minor to validate against; unknown → the latest. */
export function toTalosMinor(version: string | null | undefined): TalosMinor {
  return (version ? parseTalosMinor(version) : null) ?? LATEST_TALOS_MINOR;
}

/**
 * validateConfig for the editor: a node's config arrives with its secrets redacted, and Minos
 * merges the real values back before anything is sent, so the placeholders themselves are not
 * problems. Every other issue is exactly what the API and the CLI report.
 */
export function validateForEditor(yaml: string, talosVersion: TalosMinor): ValidationResult {
  const result = validateConfig(yaml, { talosVersion });
  if (!yaml.includes(REDACTED)) return result;
  const issues = result.issues.filter((i) => !isRedactedAt(yaml, i.document, i.path));
  return { ...result, issues, valid: !issues.some((i) => i.severity === "error") };
}
