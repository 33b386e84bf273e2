import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { Suspense } from "react";

import { AlertsTabs } from "@/components/alerts/alerts-tabs";
import { DeliveryLog } from "@/components/alerts/delivery-log";
import { parseDeliveryFilters } from "@/components/alerts/model";
import { PageHeader } from "@/components/shell/page-header";
import { channelsQueryOptions, deliveriesQueryOptions } from "@/lib/client/alerts";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageAlertSettings } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Alert delivery log" };

export default async function AlertDeliveriesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const grant = await requirePageActor("viewer");
  const params = await searchParams;
  const filter = parseDeliveryFilters({ get: (name) => (typeof params[name] === "string" ? params[name] : null) });
  const data = await pageAlertSettings(grant, { channels: true, deliveries: filter });
  const queryClient = makeQueryClient();
  queryClient.setQueryData(deliveriesQueryOptions(filter).queryKey, data.deliveries);
  queryClient.setQueryData(channelsQueryOptions().queryKey, data.channels);
  return (
    <>
      <PageHeader
        title="Alert delivery log"
        description="Every attempt to notify a channel, tests included: whether it was delivered, the answer's status code, how long it took, why it failed and when the next retry is due."
      />
      <AlertsTabs />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <Suspense>
          <DeliveryLog />
        </Suspense>
      </HydrationBoundary>
    </>
  );
}
