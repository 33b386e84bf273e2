import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";

import { BulkHistory } from "@/components/bulk/bulk-history";
import { PageHeader } from "@/components/shell/page-header";
import { bulkListQueryOptions } from "@/lib/client/bulk";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageBulkRuns } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Bulk actions" };

export default async function BulkPage() {
  const grant = await requirePageActor("viewer");
  const queryClient = makeQueryClient();
  queryClient.setQueryData(bulkListQueryOptions().queryKey, await pageBulkRuns(grant, { limit: 50 }));
  return (
    <>
      <PageHeader title="Bulk actions" description="Actions on a selection of nodes (reboot, service restart, cordon, uncordon), newest first. Select nodes on the Nodes page to start one." />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <BulkHistory />
      </HydrationBoundary>
    </>
  );
}
