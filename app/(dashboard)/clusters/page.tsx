import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";

import { ClustersClient } from "@/app/(dashboard)/clusters/client";
import { PageHeader } from "@/components/shell/page-header";
import { clustersQueryOptions } from "@/lib/client/clusters";
import { nodesQueryOptions } from "@/lib/client/fleet";
import { kubeconfigInfoQueryOptions } from "@/lib/client/kubernetes";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageClusters, pageKubeconfigInfos, pageNodes } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Clusters" };

export default async function ClustersPage() {
  const grant = await requirePageActor("viewer");
  const queryClient = makeQueryClient();
  const [clusters, nodes] = await Promise.all([pageClusters(grant), pageNodes(grant)]);
  queryClient.setQueryData(clustersQueryOptions.queryKey, clusters);
  queryClient.setQueryData(nodesQueryOptions().queryKey, nodes);
  const infos = await pageKubeconfigInfos(
    grant,
    clusters.clusters.map((c) => c.name),
  );
  for (const info of infos) queryClient.setQueryData(kubeconfigInfoQueryOptions(info.cluster).queryKey, info);
  return (
    <>
      <PageHeader
        title="Clusters"
        description="The clusters Minos manages, one per talosconfig context: from the talosconfig file or uploaded here."
      />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <ClustersClient />
      </HydrationBoundary>
    </>
  );
}
