import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { HistoryClient } from "@/app/(dashboard)/config/history/client";
import { ConfigNav } from "@/components/config-push/config-nav";
import { PageHeader } from "@/components/shell/page-header";
import { nodeId, parseNodeId } from "@/lib/fleet/node-id";
import { clustersQueryOptions } from "@/lib/client/clusters";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageClusters } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Config history" };

export default async function ConfigHistoryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const grant = await requirePageActor("viewer");
  const params = await searchParams;
  const raw = typeof params.node === "string" ? params.node : null;
  const cluster = typeof params.cluster === "string" ? params.cluster : null;
  const clusters = await pageClusters(grant);
  const known = new Set(clusters.clusters.flatMap((c) => c.nodes.map((a) => nodeId(c.name, a))));
  // A node Minos does not know is a dead link, not an empty history.
  if (raw && (!parseNodeId(raw) || !known.has(raw))) notFound();
  const queryClient = makeQueryClient();
  queryClient.setQueryData(clustersQueryOptions.queryKey, clusters);
  return (
    <>
      <PageHeader title="Config history" description="Every config Minos applied to a node, diffs between any two, rollback, and changes made outside Minos." />
      <ConfigNav node={raw} />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <HistoryClient node={raw} cluster={cluster} />
      </HydrationBoundary>
    </>
  );
}
