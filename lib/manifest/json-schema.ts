/**
 * The manifest's JSON Schema (draft 2020-12) for monaco-yaml: completion, hover (the zod
 * schema's descriptions) and live checks of the manifest's own keys in the editor. The Talos
 * config inside each patch string is another language: the editor checks it per patch with the
 * config schema of the contract (lib/config/schema `configJsonSchema`). Built once, memoized.
 */
import { z } from "zod";

import { MANIFEST_VERSION, manifestSchema } from "./schema";

let cached: Record<string, unknown> | undefined;

/** JSON Schema of the cluster manifest format (version {@link MANIFEST_VERSION}). */
export function manifestJsonSchema(): Record<string, unknown> {
  if (cached) return cached;
  // `io: "input"`: what a person writes (optional keys with defaults stay optional).
  const js = z.toJSONSchema(manifestSchema, { target: "draft-2020-12", unrepresentable: "any", io: "input" }) as Record<string, unknown>;
  delete js.$schema;
  cached = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `https://minos.local/schemas/cluster-manifest-v${MANIFEST_VERSION}.schema.json`,
    title: "Minos cluster manifest",
    ...js,
  };
  return cached;
}
