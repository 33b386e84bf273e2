import { queryOptions } from "@tanstack/react-query";

import { apiFetch } from "@/lib/client/api";
import type { backupDetailSchema, backupListSchema, backupScheduleListSchema, backupScheduleSchema, backupSchema, PutBackupScheduleBody } from "@/lib/schemas/backups";
import type { z } from "zod";
import { backupKeys } from "@/lib/client/query-keys";

export { backupKeys };

/** GET /api/backups; a running backup is polled until it ends (SSE `etcd-backup` also invalidates). */
export function backupListQueryOptions(cluster?: string) {
  return queryOptions({
    queryKey: backupKeys.list(cluster),
    queryFn: ({ signal }) => apiFetch<z.output<typeof backupListSchema>>(`/api/backups${cluster ? `?${new URLSearchParams({ cluster })}` : ""}`, { signal }),
    refetchInterval: (q) => (q.state.data?.backups.some((b) => b.state === "running") ? 2_000 : 30_000),
  });
}

export function backupDetailQueryOptions(id: string) {
  return queryOptions({ queryKey: backupKeys.detail(id), queryFn: ({ signal }) => apiFetch<z.output<typeof backupDetailSchema>>(`/api/backups/${encodeURIComponent(id)}`, { signal }) });
}

export function backupSchedulesQueryOptions() {
  return queryOptions({ queryKey: backupKeys.schedules(), queryFn: ({ signal }) => apiFetch<z.output<typeof backupScheduleListSchema>>("/api/backups/schedules", { signal }) });
}

export const createBackup = (cluster: string) => apiFetch<z.output<typeof backupSchema>>("/api/backups", { method: "POST", json: { cluster } });
export const deleteBackup = (id: string) => apiFetch<{ id: string; fileRemoved: boolean }>(`/api/backups/${encodeURIComponent(id)}`, { method: "DELETE" });
export const putBackupSchedule = (cluster: string, body: PutBackupScheduleBody) => apiFetch<z.output<typeof backupScheduleSchema>>(`/api/backups/schedules/${encodeURIComponent(cluster)}`, { method: "PUT", json: body });
export const backupDownloadHref = (id: string) => `/api/backups/${encodeURIComponent(id)}/download`;
