import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";

import { ConfigClient } from "@/app/(dashboard)/config/client";
import { parseSource } from "@/components/config-editor/source";
import { ConfigNav } from "@/components/config-push/config-nav";
import { ConfigManifestChoice } from "@/components/manifest/config-manifest-choice";
import { PageHeader } from "@/components/shell/page-header";
import { clustersQueryOptions } from "@/lib/client/clusters";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageClusters, pageManifestRevisions } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Config" };

export default async function ConfigPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const grant = await requirePageActor("viewer");
  const params = await searchParams;
  const source = parseSource(params);
  const cluster = typeof params.cluster === "string" ? params.cluster : null;
  // The node picker's list is known here already; hand it to the client cache.
  const queryClient = makeQueryClient();
  const clusters = await pageClusters(grant);
  queryClient.setQueryData(clustersQueryOptions.queryKey, clusters);
  // The first choice: each cluster's manifest, by revision number only (no manifest is read).
  const manifests = await pageManifestRevisions(grant, clusters.clusters.map((c) => c.name).filter((c) => !cluster || c === cluster));
  return (
    <>
      <PageHeader title="Config" description="Edit a machine config with live validation, preview what a node would do, and apply it." />
      <ConfigNav node={source.kind === "node" ? source.nodeId : null} />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <div className="mb-4">
          <ConfigManifestChoice manifests={manifests} />
        </div>
        <ConfigClient initialSource={source} cluster={cluster} />
      </HydrationBoundary>
    </>
  );
}
