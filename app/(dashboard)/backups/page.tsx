import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";

import { BackupsClient } from "@/app/(dashboard)/backups/client";
import { PageHeader } from "@/components/shell/page-header";
import { backupListQueryOptions, backupSchedulesQueryOptions } from "@/lib/client/backups";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageBackups, pageClusters } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Backups" };

export default async function BackupsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const grant = await requirePageActor("viewer");
  const params = await searchParams;
  const { clusters } = await pageClusters(grant);
  const cluster = typeof params.cluster === "string" && clusters.some((c) => c.name === params.cluster) ? params.cluster : undefined;
  const data = await pageBackups(grant, cluster);
  const queryClient = makeQueryClient();
  queryClient.setQueryData(backupListQueryOptions(cluster).queryKey, data.backups);
  queryClient.setQueryData(backupSchedulesQueryOptions().queryKey, data.schedules);
  return (
    <>
      <PageHeader
        title="Backups"
        description="etcd snapshots kept on the Minos host (MINOS_BACKUP_DIR): taken now or on a schedule per cluster, with retention by count and age. Each one records its size, sha256, revision and member, and comes with the talosctl steps to recover from it."
      />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <BackupsClient clusters={clusters.map((c) => c.name)} cluster={cluster} />
      </HydrationBoundary>
    </>
  );
}
