import type { z } from "zod";
import { queryOptions } from "@tanstack/react-query";

import { apiFetch } from "@/lib/client/api";
import { postAndSave } from "@/lib/client/download";
import type { etcdClusterSchema, etcdDefragmentResultSchema, etcdDisarmResultSchema, etcdForfeitResultSchema, etcdRemoveResultSchema } from "@/lib/schemas/etcd";

export const etcdKeys = {
  all: ["etcd"] as const,
  cluster: (cluster: string) => [...etcdKeys.all, cluster] as const,
};

const base = (cluster: string) => `/api/clusters/${encodeURIComponent(cluster)}/etcd`;

/** GET /api/clusters/:cluster/etcd, refreshed every 10 s (sizes and raft index move). */
export function etcdQueryOptions(cluster: string) {
  return queryOptions({
    queryKey: etcdKeys.cluster(cluster),
    queryFn: ({ signal }) => apiFetch<z.output<typeof etcdClusterSchema>>(base(cluster), { signal }),
    refetchInterval: 10_000,
  });
}

export const defragmentEtcd = (cluster: string, member?: string) => apiFetch<z.output<typeof etcdDefragmentResultSchema>>(`${base(cluster)}/defragment`, { method: "POST", json: member ? { member } : {} });
export const disarmEtcd = (cluster: string) => apiFetch<z.output<typeof etcdDisarmResultSchema>>(`${base(cluster)}/disarm`, { method: "POST" });
export const forfeitEtcdLeadership = (cluster: string, member: string) => apiFetch<z.output<typeof etcdForfeitResultSchema>>(`${base(cluster)}/forfeit-leadership`, { method: "POST", json: { member } });
export const removeEtcdMember = (cluster: string, member: string) => apiFetch<z.output<typeof etcdRemoveResultSchema>>(`${base(cluster)}/remove-member`, { method: "POST", json: { member } });

/**
 * POST /api/clusters/:cluster/etcd/snapshot, saved by the browser under the server's file name.
 * Returns that name and the size.
 */
export function downloadEtcdSnapshot(cluster: string, member?: string): Promise<{ fileName: string; size: number }> {
  return postAndSave(`${base(cluster)}/snapshot`, "db.snapshot", member ? { member } : {});
}
