import "server-only";

import type { Db } from "@/lib/server/platform/db/db";
import type { SecretBox } from "@/lib/server/platform/secret-box";

/**
 * Uploaded kubeconfigs, one per cluster, sealed with the SecretBox (they hold client keys or
 * tokens). The server URL is kept in clear so the info route never opens the file.
 */

export interface KubeconfigMeta {
  cluster: string;
  server: string;
  uploadedAt: string;
  uploadedBy: string;
}

// The cluster is the associated data: a sealed kubeconfig moved onto another cluster's row fails to open.
const aad = (cluster: string) => `cluster-kubeconfig:${cluster}`;

/** Stores (or replaces) a cluster's kubeconfig. The caller has parsed and checked it. */
export async function putKubeconfig(db: Db, box: SecretBox, input: { cluster: string; kubeconfig: string; server: string; uploadedBy: string }, now = new Date()): Promise<KubeconfigMeta> {
  const row = {
    cluster: input.cluster,
    kubeconfig_sealed: box.seal(input.kubeconfig, aad(input.cluster)),
    key_id: box.keyId,
    server: input.server,
    uploaded_at: now.toISOString(),
    uploaded_by: input.uploadedBy,
  };
  await db
    .insertInto("cluster_kubeconfigs")
    .values(row)
    .onConflict((oc) => oc.column("cluster").doUpdateSet({ kubeconfig_sealed: row.kubeconfig_sealed, key_id: row.key_id, server: row.server, uploaded_at: row.uploaded_at, uploaded_by: row.uploaded_by }))
    .execute();
  return { cluster: input.cluster, server: input.server, uploadedAt: row.uploaded_at, uploadedBy: input.uploadedBy };
}

/** A cluster's upload without its content, or null. */
export async function getKubeconfigMeta(db: Db, cluster: string): Promise<KubeconfigMeta | null> {
  const r = await db.selectFrom("cluster_kubeconfigs").select(["cluster", "server", "uploaded_at", "uploaded_by"]).where("cluster", "=", cluster).executeTakeFirst();
  return r ? { cluster: r.cluster, server: r.server, uploadedAt: r.uploaded_at, uploadedBy: r.uploaded_by } : null;
}

/** A cluster's uploaded kubeconfig, opened, with when it was stored; null when there is none. @throws AppError misconfigured under another key. */
export async function getKubeconfig(db: Db, box: SecretBox, cluster: string): Promise<{ kubeconfig: string; uploadedAt: string } | null> {
  const r = await db.selectFrom("cluster_kubeconfigs").select(["kubeconfig_sealed", "key_id", "uploaded_at"]).where("cluster", "=", cluster).executeTakeFirst();
  return r ? { kubeconfig: box.open(r.kubeconfig_sealed, aad(cluster), r.key_id), uploadedAt: r.uploaded_at } : null;
}

/** Removes a cluster's upload; returns its metadata, or null when there was none. */
export async function deleteKubeconfig(db: Db, cluster: string): Promise<KubeconfigMeta | null> {
  const r = await db.deleteFrom("cluster_kubeconfigs").where("cluster", "=", cluster).returning(["cluster", "server", "uploaded_at", "uploaded_by"]).executeTakeFirst();
  return r ? { cluster: r.cluster, server: r.server, uploadedAt: r.uploaded_at, uploadedBy: r.uploaded_by } : null;
}
