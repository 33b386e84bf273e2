import "server-only";

import { REDACTED } from "@/lib/config/redact";
import { mergeManifestSecrets } from "@/lib/manifest/redact";
import { AppError } from "@/lib/server/platform/errors";

/**
 * A manifest as sent back by a caller who saw it redacted: the stored manifest's secret values
 * merged back (`stored` is only read when there is a marker to fill).
 * @throws AppError invalid_config for a marker the stored manifest has no value for (details.issues on its lines)
 */
export async function mergeRedactedManifest(text: string, stored: () => Promise<string>): Promise<string> {
  if (!text.includes(REDACTED)) return text;
  const merged = mergeManifestSecrets(text, await stored());
  if ("yaml" in merged) return merged.yaml;
  const first = merged.issues[0]!;
  throw new AppError("invalid_config", `The manifest has ${merged.issues.length} redacted value${merged.issues.length > 1 ? "s" : ""} with nothing stored to put back: line ${first.line}: ${first.message}`, {
    details: { issues: merged.issues },
  });
}
