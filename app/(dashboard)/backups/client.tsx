"use client";

import { BackupList } from "@/components/backups/backup-list";
import { ScheduleTable } from "@/components/backups/schedule-table";

export function BackupsClient({ clusters, cluster }: { clusters: string[]; cluster?: string }) {
  return (
    <div className="space-y-8">
      <ScheduleTable />
      <BackupList clusters={clusters} cluster={cluster} />
    </div>
  );
}
