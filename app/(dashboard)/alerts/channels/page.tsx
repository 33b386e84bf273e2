import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";

import { AlertsTabs } from "@/components/alerts/alerts-tabs";
import { ChannelList } from "@/components/alerts/channel-list";
import { PageHeader } from "@/components/shell/page-header";
import { channelsQueryOptions } from "@/lib/client/alerts";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageAlertSettings } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Alert channels" };

export default async function AlertChannelsPage() {
  const grant = await requirePageActor("viewer");
  const queryClient = makeQueryClient();
  queryClient.setQueryData(channelsQueryOptions().queryKey, (await pageAlertSettings(grant, { channels: true })).channels);
  return (
    <>
      <PageHeader
        title="Alert channels"
        description="Where notifications go: signed webhooks, Slack incoming webhooks and email over SMTP, each with the severities and clusters it gets. A channel whose deliveries keep failing shows in red."
      />
      <AlertsTabs />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <ChannelList />
      </HydrationBoundary>
    </>
  );
}
