import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";

import { KubernetesUpgradesClient } from "@/app/(dashboard)/kubernetes-upgrades/client";
import { PageHeader } from "@/components/shell/page-header";
import { kubernetesUpgradeListQueryOptions } from "@/lib/client/kubernetes-upgrades";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageClusters, pageKubernetesUpgrades, pageNodes } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Kubernetes upgrades" };

export default async function KubernetesUpgradesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const grant = await requirePageActor("viewer");
  const params = await searchParams;
  const { clusters } = await pageClusters(grant);
  const queryClient = makeQueryClient();
  queryClient.setQueryData(kubernetesUpgradeListQueryOptions().queryKey, { plans: await pageKubernetesUpgrades(grant, { limit: 50 }) });
  const currentVersions = Object.fromEntries((await pageNodes(grant)).clusters.map((c) => [c.name, c.kubernetes?.controlPlaneVersion ?? null]));
  const selected = typeof params.cluster === "string" && clusters.some((c) => c.name === params.cluster) ? params.cluster : undefined;
  return (
    <>
      <PageHeader
        title="Kubernetes upgrades"
        description="The flow of talosctl upgrade-k8s: pre-checks, images pre-pulled, each control-plane component one node at a time, kube-proxy, the kubelets (control planes first), then the bootstrap manifests."
      />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <KubernetesUpgradesClient clusters={clusters.map((c) => c.name)} defaultCluster={selected} currentVersions={currentVersions} />
      </HydrationBoundary>
    </>
  );
}
