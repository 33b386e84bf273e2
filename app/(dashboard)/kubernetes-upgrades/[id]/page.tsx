import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { KubeUpgradeLive } from "@/components/kubernetes-upgrades/kube-upgrade-live";
import { PageHeader } from "@/components/shell/page-header";
import { kubernetesUpgradeQueryOptions } from "@/lib/client/kubernetes-upgrades";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageKubernetesUpgrade } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Kubernetes upgrade" };

export default async function KubernetesUpgradePage({ params }: { params: Promise<{ id: string }> }) {
  const grant = await requirePageActor("viewer");
  const { id } = await params;
  const plan = await pageKubernetesUpgrade(grant, id);
  if (!plan) notFound();
  const queryClient = makeQueryClient();
  queryClient.setQueryData(kubernetesUpgradeQueryOptions(id).queryKey, plan);
  return (
    <>
      <PageHeader
        title={`Kubernetes upgrade of ${plan.cluster} to ${plan.toVersion}`}
        description={`Planned ${plan.createdAt.slice(0, 19).replace("T", " ")} UTC · ${plan.steps.length} steps`}
        actions={
          <Link href="/kubernetes-upgrades" className="text-sm text-accent hover:underline">
            All Kubernetes upgrades
          </Link>
        }
      />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <KubeUpgradeLive id={id} />
      </HydrationBoundary>
    </>
  );
}
