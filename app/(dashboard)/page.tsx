import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";

import { OverviewClient } from "@/app/(dashboard)/client";
import type { CertResult } from "@/components/fleet/cert-expiry";
import { PageHeader } from "@/components/shell/page-header";
import { nodesQueryOptions } from "@/lib/client/fleet";
import { makeQueryClient } from "@/lib/client/query-client";
import type { NearestExpiry } from "@/lib/schemas/certs";
import { requirePageActor, type PageGrant } from "@/lib/server/auth/page";
import { pageNearestExpiry, pageNodes } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Overview" };

async function nearestExpiryResult(grant: PageGrant, cluster: string | undefined): Promise<CertResult<NearestExpiry>> {
  try {
    return { ok: true, data: await pageNearestExpiry(grant, { cluster }) };
  } catch (e) {
    // The fleet's health must show even when the certificate scan fails.
    console.error("[minos] overview: nearest certificate expiry", e);
    return { ok: false, error: e instanceof Error ? e.message : "the certificate scan failed" };
  }
}

export default async function OverviewPage({ searchParams }: { searchParams: Promise<{ cluster?: string | string[] }> }) {
  const grant = await requirePageActor("viewer");
  const raw = (await searchParams).cluster;
  const cluster = typeof raw === "string" && raw !== "" ? raw : null;
  const queryClient = makeQueryClient();
  queryClient.setQueryData(nodesQueryOptions().queryKey, await pageNodes(grant));
  // Not awaited: the certificate card streams in when the scan is done, the rest renders now.
  const nearestExpiry = nearestExpiryResult(grant, cluster ?? undefined);
  return (
    <>
      <PageHeader title="Overview" description="Health of every cluster, current problems and the nearest certificate expiry." />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <OverviewClient cluster={cluster} nearestExpiry={nearestExpiry} />
      </HydrationBoundary>
    </>
  );
}
