import type { Metadata } from "next";

import { AlertsTabs } from "@/components/alerts/alerts-tabs";
import { ChannelList } from "@/components/alerts/channel-list";
import { PageHeader } from "@/components/shell/page-header";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Alert channels" };

export default async function AlertChannelsPage() {
  await requirePageActor("viewer");
  return (
    <>
      <PageHeader
        title="Alert channels"
        description="Where notifications go: signed webhooks, Slack incoming webhooks and email over SMTP, each with the severities and clusters it gets. A channel whose deliveries keep failing shows in red."
      />
      <AlertsTabs />
      <ChannelList />
    </>
  );
}
