import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { ArrowLeft } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { ClusterPageClient } from "@/app/(dashboard)/clusters/[cluster]/client";
import { PageHeader } from "@/components/shell/page-header";
import { buttonVariants } from "@/components/ui/button";
import { clustersQueryOptions } from "@/lib/client/clusters";
import { manifestQueryOptions } from "@/lib/client/manifests";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageClusterManifest, pageClusters } from "@/lib/server/page-data";

export async function generateMetadata({ params }: { params: Promise<{ cluster: string }> }): Promise<Metadata> {
  await requirePageActor("viewer");
  return { title: `Cluster ${decodeURIComponent((await params).cluster)}` };
}

export default async function ClusterPage({ params }: { params: Promise<{ cluster: string }> }) {
  const grant = await requirePageActor("viewer");
  const cluster = decodeURIComponent((await params).cluster);
  const clusters = await pageClusters(grant);
  const found = clusters.clusters.find((c) => c.name === cluster);
  if (!found) notFound();
  const queryClient = makeQueryClient();
  queryClient.setQueryData(clustersQueryOptions.queryKey, clusters);
  // The manifest (or its absence) comes with the page: no flash of "loading" before the editor.
  queryClient.setQueryData(manifestQueryOptions(cluster).queryKey, await pageClusterManifest(grant, cluster));
  return (
    <>
      <PageHeader
        title={`Cluster ${cluster}`}
        description={`${found.nodes.length} node${found.nodes.length === 1 ? "" : "s"} in the talosconfig. One manifest describes every node's config: edit it, plan with each node's dry run, apply as a rollout.`}
        actions={
          <div className="flex gap-2">
            <Link href={`/clusters/${encodeURIComponent(cluster)}/etcd`} className={buttonVariants({ size: "sm" })}>
              etcd
            </Link>
            <Link href="/clusters" className={buttonVariants({ size: "sm" })}>
              <ArrowLeft aria-hidden className="size-4" /> All clusters
            </Link>
          </div>
        }
      />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <ClusterPageClient cluster={cluster} />
      </HydrationBoundary>
    </>
  );
}
