import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { Suspense } from "react";

import { AlertsTabs } from "@/components/alerts/alerts-tabs";
import { SilencesView } from "@/components/alerts/silences-view";
import { PageHeader } from "@/components/shell/page-header";
import { silencesQueryOptions } from "@/lib/client/alerts";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageAlertSettings } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Alert silences" };

export default async function AlertSilencesPage() {
  const grant = await requirePageActor("viewer");
  const queryClient = makeQueryClient();
  queryClient.setQueryData(silencesQueryOptions("all").queryKey, (await pageAlertSettings(grant, { silences: true })).silences);
  return (
    <>
      <PageHeader
        title="Alert silences"
        description="Keep alerts quiet for a while (a maintenance window, a known outage): by rule, cluster or node, with an end time and a reason. Silenced alerts still show, marked, but notify nobody."
      />
      <AlertsTabs />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <Suspense>
          <SilencesView />
        </Suspense>
      </HydrationBoundary>
    </>
  );
}
