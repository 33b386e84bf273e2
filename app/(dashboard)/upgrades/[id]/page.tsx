import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { PageHeader } from "@/components/shell/page-header";
import { UpgradeLive } from "@/components/upgrades/upgrade-live";
import { makeQueryClient } from "@/lib/client/query-client";
import { upgradePlanQueryOptions } from "@/lib/client/upgrades";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageUpgradePlan } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Upgrade" };

export default async function UpgradePage({ params }: { params: Promise<{ id: string }> }) {
  const grant = await requirePageActor("viewer");
  const { id } = await params;
  const plan = await pageUpgradePlan(grant, id);
  if (!plan) notFound();
  const queryClient = makeQueryClient();
  queryClient.setQueryData(upgradePlanQueryOptions(id).queryKey, plan);
  return (
    <>
      <PageHeader
        title={`Upgrade of ${plan.cluster} to ${plan.targetVersion}`}
        description={`Planned ${plan.createdAt.slice(0, 19).replace("T", " ")} UTC · ${plan.nodes.length} nodes in ${plan.batches.length} batches`}
        actions={
          <Link href="/upgrades" className="text-sm text-accent hover:underline">
            All upgrades
          </Link>
        }
      />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <UpgradeLive id={id} />
      </HydrationBoundary>
    </>
  );
}
