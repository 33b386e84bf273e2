import { queryOptions } from "@tanstack/react-query";

import { apiFetch } from "@/lib/client/api";
import { backupDetailSchema, backupListSchema, backupScheduleListSchema, backupScheduleSchema, backupSchema, type PutBackupScheduleBody } from "@/lib/schemas/backups";
import { z } from "zod";

export const backupKeys = {
  all: ["backups"] as const,
  list: (cluster?: string) => [...backupKeys.all, "list", cluster ?? "all"] as const,
  detail: (id: string) => [...backupKeys.all, "detail", id] as const,
  schedules: () => [...backupKeys.all, "schedules"] as const,
};

/** GET /api/backups; a running backup is polled until it ends (SSE `etcd-backup` also invalidates). */
export function backupListQueryOptions(cluster?: string) {
  return queryOptions({
    queryKey: backupKeys.list(cluster),
    queryFn: ({ signal }) => apiFetch(`/api/backups${cluster ? `?${new URLSearchParams({ cluster })}` : ""}`, backupListSchema, { signal }),
    refetchInterval: (q) => (q.state.data?.backups.some((b) => b.state === "running") ? 2_000 : 30_000),
  });
}

export function backupDetailQueryOptions(id: string) {
  return queryOptions({ queryKey: backupKeys.detail(id), queryFn: ({ signal }) => apiFetch(`/api/backups/${encodeURIComponent(id)}`, backupDetailSchema, { signal }) });
}

export function backupSchedulesQueryOptions() {
  return queryOptions({ queryKey: backupKeys.schedules(), queryFn: ({ signal }) => apiFetch("/api/backups/schedules", backupScheduleListSchema, { signal }) });
}

export const createBackup = (cluster: string) => apiFetch("/api/backups", backupSchema, { method: "POST", json: { cluster } });
export const deleteBackup = (id: string) => apiFetch(`/api/backups/${encodeURIComponent(id)}`, z.object({ id: z.string(), fileRemoved: z.boolean() }), { method: "DELETE" });
export const putBackupSchedule = (cluster: string, body: PutBackupScheduleBody) => apiFetch(`/api/backups/schedules/${encodeURIComponent(cluster)}`, backupScheduleSchema, { method: "PUT", json: body });
export const backupDownloadHref = (id: string) => `/api/backups/${encodeURIComponent(id)}/download`;
