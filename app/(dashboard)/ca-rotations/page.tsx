import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";

import { CaRotationsClient } from "@/app/(dashboard)/ca-rotations/client";
import { PageHeader } from "@/components/shell/page-header";
import { caRotationListQueryOptions } from "@/lib/client/ca-rotation";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageCaRotations, pageClusters } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "CA rotations" };

export default async function CaRotationsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const grant = await requirePageActor("viewer");
  const params = await searchParams;
  const { clusters } = await pageClusters(grant);
  const queryClient = makeQueryClient();
  queryClient.setQueryData(caRotationListQueryOptions().queryKey, { rotations: await pageCaRotations(grant, { limit: 50 }) });
  const selected = typeof params.cluster === "string" && clusters.some((c) => c.name === params.cluster) ? params.cluster : undefined;
  return (
    <>
      <PageHeader
        title="CA rotations"
        description="The flow of talosctl rotate-ca: the new CA is added as accepted, made the issuer with the old one still accepted, then the old one is removed; every node is verified after each phase, and Minos's talosconfig is replaced once the Talos API CA is done."
      />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <CaRotationsClient clusters={clusters.map((c) => c.name)} defaultCluster={selected} />
      </HydrationBoundary>
    </>
  );
}
