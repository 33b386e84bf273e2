import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";

import { UpgradesClient } from "@/app/(dashboard)/upgrades/client";
import { PageHeader } from "@/components/shell/page-header";
import { makeQueryClient } from "@/lib/client/query-client";
import { upgradeListQueryOptions } from "@/lib/client/upgrades";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageClusters, pageUpgradePlans } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Upgrades" };

export default async function UpgradesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const grant = await requirePageActor("viewer");
  const params = await searchParams;
  const { clusters } = await pageClusters(grant);
  const queryClient = makeQueryClient();
  queryClient.setQueryData(upgradeListQueryOptions().queryKey, { plans: await pageUpgradePlans(grant, { limit: 50 }) });
  const selected = typeof params.cluster === "string" && clusters.some((c) => c.name === params.cluster) ? params.cluster : undefined;
  return (
    <>
      <PageHeader title="Upgrades" description="Rolling Talos upgrades that keep etcd quorum: control planes one at a time, then workers in batches, each node health-checked before the next." />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <UpgradesClient clusters={clusters.map((c) => ({ name: c.name, nodes: c.nodes }))} defaultCluster={selected} />
      </HydrationBoundary>
    </>
  );
}
