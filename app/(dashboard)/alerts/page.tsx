import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { Suspense } from "react";

import { AlertsTabs } from "@/components/alerts/alerts-tabs";
import { AlertsView } from "@/components/alerts/alerts-view";
import { alertsPageQueries, HISTORY_LIMIT, parseAlertFilters } from "@/components/alerts/model";
import { PageHeader } from "@/components/shell/page-header";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageAlerts } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Alerts" };

export default async function AlertsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const grant = await requirePageActor("viewer");
  const params = await searchParams;
  const filter = parseAlertFilters({ get: (name) => (typeof params[name] === "string" ? params[name] : null) });
  const { state, ...rest } = filter;
  const queries = alertsPageQueries(filter);
  const queryClient = makeQueryClient();
  if (queries.active) queryClient.setQueryData(queries.active.queryKey, await pageAlerts(grant, { ...rest, state }));
  queryClient.setQueryData(queries.history.queryKey, await pageAlerts(grant, { ...rest, state: "history", limit: HISTORY_LIMIT }));
  return (
    <>
      <PageHeader
        title="Alerts"
        description="What the built-in rules see going wrong across the fleet, firing now and resolved, with who acknowledged or silenced it. Notifications go to the channels."
      />
      <AlertsTabs />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <Suspense>
          <AlertsView />
        </Suspense>
      </HydrationBoundary>
    </>
  );
}
