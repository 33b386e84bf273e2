import "server-only";

import { parse } from "yaml";

import { manifestSchema, type Manifest } from "@/lib/manifest/schema";
import type { ManifestDeps } from "@/lib/server/manifests/deps";
import { AppError } from "@/lib/server/platform/errors";
import { parseSecretsBundle, type SecretsBundle } from "@/lib/talos/secrets/bundle";

/** The cluster's secrets bundle. @throws AppError not_found before adoption */
export async function storedSecrets(deps: ManifestDeps, cluster: string): Promise<{ text: string; bundle: SecretsBundle }> {
  const text = await deps.repo.secrets(cluster);
  if (text === undefined) throw new AppError("not_found", `Cluster "${cluster}" has no manifest yet: adopt it first (POST /api/clusters/${cluster}/manifest/adopt)`);
  return { text, bundle: parseSecretsBundle(text, `the secrets bundle of cluster "${cluster}"`) };
}

/**
 * A saved revision, parsed, with the cluster's bundle. Saved manifests passed the full check when
 * they were saved, so the schema alone reads them back; one that no longer parses (a newer
 * Minos's format) is a server-side problem, said so.
 */
export async function storedManifest(deps: ManifestDeps, cluster: string, revision: number): Promise<{ text: string; manifest: Manifest; secrets: SecretsBundle }> {
  const [text, { bundle }] = await Promise.all([deps.repo.manifest(cluster, revision), storedSecrets(deps, cluster)]);
  const parsed = manifestSchema.safeParse(parse(text, { maxAliasCount: 100 }));
  if (!parsed.success) throw new AppError("internal", `Revision ${revision} of the manifest of cluster "${cluster}" no longer reads as a manifest`);
  return { text, manifest: parsed.data, secrets: bundle };
}
