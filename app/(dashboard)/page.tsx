import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";

import { OverviewClient } from "@/app/(dashboard)/client";
import type { CertResult } from "@/components/fleet/cert-expiry";
import { PageHeader } from "@/components/shell/page-header";
import { nodesQueryOptions } from "@/lib/queries/fleet";
import { makeQueryClient } from "@/lib/queries/query-client";
import type { NearestExpiry } from "@/lib/schemas/certs";
import { getNearestExpiry } from "@/lib/server/certs/service";
import { listNodes } from "@/lib/server/fleet/service";

export const metadata: Metadata = { title: "Overview" };

async function nearestExpiryResult(cluster: string | undefined): Promise<CertResult<NearestExpiry>> {
  try {
    return { ok: true, data: await getNearestExpiry({ cluster }) };
  } catch (e) {
    // The fleet's health must show even when the certificate scan fails.
    console.error("[minos] overview: nearest certificate expiry", e);
    return { ok: false, error: e instanceof Error ? e.message : "the certificate scan failed" };
  }
}

export default async function OverviewPage({ searchParams }: { searchParams: Promise<{ cluster?: string | string[] }> }) {
  const raw = (await searchParams).cluster;
  const cluster = typeof raw === "string" && raw !== "" ? raw : null;
  const queryClient = makeQueryClient();
  queryClient.setQueryData(nodesQueryOptions().queryKey, await listNodes());
  // Not awaited: the certificate card streams in when the scan is done, the rest renders now.
  const nearestExpiry = nearestExpiryResult(cluster ?? undefined);
  return (
    <>
      <PageHeader title="Overview" description="Health of every cluster, current problems and the nearest certificate expiry." />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <OverviewClient cluster={cluster} nearestExpiry={nearestExpiry} />
      </HydrationBoundary>
    </>
  );
}
