import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";

import { NodesClient } from "@/app/(dashboard)/nodes/client";
import { PageHeader } from "@/components/shell/page-header";
import { nodesQueryOptions } from "@/lib/client/fleet";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageNodes } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Nodes" };

export default async function NodesPage() {
  const grant = await requirePageActor("viewer");
  // Every cluster's nodes: the cluster selection and the filters apply in the browser, from the URL.
  const queryClient = makeQueryClient();
  queryClient.setQueryData(nodesQueryOptions().queryKey, await pageNodes(grant));
  return (
    <>
      <PageHeader title="Nodes" description="Every node across your clusters: health, stage and version, live." />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <NodesClient />
      </HydrationBoundary>
    </>
  );
}
