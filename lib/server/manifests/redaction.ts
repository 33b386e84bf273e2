import "server-only";

import { isSeq, parseDocument } from "yaml";

import { REDACTED, redactConfig } from "@/lib/config/redact";
import { AppError } from "@/lib/server/platform/errors";

/**
 * A manifest as sent back by a caller who saw it redacted: the stored manifest's secret values
 * merged back (`stored` is only read when there is a marker to fill).
 * @throws AppError invalid_config for a marker the stored manifest has no value for
 */
export async function mergeRedactedManifest(text: string, stored: () => Promise<string>): Promise<string> {
  if (!text.includes(REDACTED)) return text;
  await stored();
  throw new AppError("invalid_config", "This Minos cannot merge redacted manifest values back yet: send the manifest with its values");
}

/** The manifest as a non-admin may read it: every patch's secret values redacted. */
export function redactManifestText(text: string): string {
  const doc = parseDocument(text);
  const redactAt = (path: (string | number)[]) => {
    const v = doc.getIn(path);
    if (typeof v === "string" && v.trim() !== "") doc.setIn(path, redactConfig(v));
  };
  const patches = doc.get("patches");
  if (isSeq(patches)) patches.items.forEach((_, i) => redactAt(["patches", i, "patch"]));
  const nodes = doc.get("nodes");
  if (isSeq(nodes)) nodes.items.forEach((_, i) => redactAt(["nodes", i, "patch"]));
  return doc.toString();
}
