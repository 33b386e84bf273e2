import { queryOptions } from "@tanstack/react-query";

import { csrfHeaders } from "@/lib/auth/csrf";
import { ApiError, apiFetch } from "@/lib/client/api";
import { errorEnvelopeSchema } from "@/lib/schemas/error";
import { etcdClusterSchema, etcdDefragmentResultSchema, etcdDisarmResultSchema, etcdForfeitResultSchema, etcdRemoveResultSchema } from "@/lib/schemas/etcd";

export const etcdKeys = {
  all: ["etcd"] as const,
  cluster: (cluster: string) => [...etcdKeys.all, cluster] as const,
};

const base = (cluster: string) => `/api/clusters/${encodeURIComponent(cluster)}/etcd`;

/** GET /api/clusters/:cluster/etcd, refreshed every 10 s (sizes and raft index move). */
export function etcdQueryOptions(cluster: string) {
  return queryOptions({
    queryKey: etcdKeys.cluster(cluster),
    queryFn: ({ signal }) => apiFetch(base(cluster), etcdClusterSchema, { signal }),
    refetchInterval: 10_000,
  });
}

export const defragmentEtcd = (cluster: string, member?: string) => apiFetch(`${base(cluster)}/defragment`, etcdDefragmentResultSchema, { method: "POST", json: member ? { member } : {} });
export const disarmEtcd = (cluster: string) => apiFetch(`${base(cluster)}/disarm`, etcdDisarmResultSchema, { method: "POST" });
export const forfeitEtcdLeadership = (cluster: string, member: string) => apiFetch(`${base(cluster)}/forfeit-leadership`, etcdForfeitResultSchema, { method: "POST", json: { member } });
export const removeEtcdMember = (cluster: string, member: string) => apiFetch(`${base(cluster)}/remove-member`, etcdRemoveResultSchema, { method: "POST", json: { member } });

/**
 * POST /api/clusters/:cluster/etcd/snapshot, saved by the browser under the server's file name.
 * Returns that name and the size.
 */
export async function downloadEtcdSnapshot(cluster: string, member?: string): Promise<{ fileName: string; size: number }> {
  const res = await fetch(`${base(cluster)}/snapshot`, {
    method: "POST",
    headers: { "content-type": "application/json", ...csrfHeaders() },
    body: JSON.stringify(member ? { member } : {}),
  }).catch((e: unknown) => {
    throw new ApiError(0, "network", `Minos did not answer: ${(e as Error).message}`);
  });
  if (!res.ok) {
    const env = errorEnvelopeSchema.safeParse(await res.json().catch(() => undefined));
    if (env.success) throw new ApiError(res.status, env.data.error.code, env.data.error.message, env.data.error.details);
    throw new ApiError(res.status, "internal", `HTTP ${res.status} from the snapshot`);
  }
  const blob = await res.blob();
  const fileName = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? "db.snapshot";
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.click();
  URL.revokeObjectURL(url);
  return { fileName, size: blob.size };
}
