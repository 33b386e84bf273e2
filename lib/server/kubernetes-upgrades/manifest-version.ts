import "server-only";

import { parseDocument } from "yaml";

import type { Db } from "@/lib/server/platform/db/db";
import { ManifestRepository } from "@/lib/server/manifests/repo";
import type { SecretBox } from "@/lib/server/platform/secret-box";

/** The manifest text with `cluster.kubernetesVersion` set, in the form it had ("v" or not); comments kept. */
export function withKubernetesVersion(text: string, version: string): { text: string; changed: boolean } {
  const doc = parseDocument(text);
  const current = doc.getIn(["cluster", "kubernetesVersion"]);
  const bare = version.replace(/^v/, "");
  const next = typeof current === "string" && !current.startsWith("v") ? bare : `v${bare}`;
  if (current === next) return { text, changed: false };
  doc.setIn(["cluster", "kubernetesVersion"], next);
  return { text: doc.toString(), changed: true };
}

/**
 * After a Kubernetes upgrade: when the cluster has a manifest, a new revision with the new
 * `cluster.kubernetesVersion` (so a later render or plan does not turn the cluster back). Its
 * number; null when the cluster has no manifest. An edit saved meanwhile is kept: the insert is
 * based on the revision read here and fails with `conflict` if another one came in between.
 */
export async function recordManifestKubernetesVersion(db: Db, box: SecretBox, cluster: string, version: string, planId: string): Promise<number | null> {
  const repo = new ManifestRepository(db, box);
  const latest = await repo.latest(cluster);
  if (!latest) return null;
  const { text, changed } = withKubernetesVersion(await repo.manifest(cluster, latest.revision), version);
  if (!changed) return latest.revision;
  const saved = await repo.insert({ cluster, author: `kubernetes-upgrade:${planId}`, at: new Date(), source: "edit", message: `Kubernetes upgrade to ${version}`, yaml: text, base: latest.revision });
  return saved.revision;
}

/** The `cluster.kubernetesVersion` of the cluster's latest manifest revision; null without a manifest or the field. */
export async function manifestKubernetesVersion(db: Db, box: SecretBox, cluster: string): Promise<string | null> {
  const repo = new ManifestRepository(db, box);
  const latest = await repo.latest(cluster);
  if (!latest) return null;
  const v = parseDocument(await repo.manifest(cluster, latest.revision)).getIn(["cluster", "kubernetesVersion"]);
  return typeof v === "string" ? v : null;
}
