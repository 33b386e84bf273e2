import type { Metadata } from "next";
import { Suspense } from "react";

import { AlertsTabs } from "@/components/alerts/alerts-tabs";
import { AlertsView } from "@/components/alerts/alerts-view";
import { PageHeader } from "@/components/shell/page-header";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Alerts" };

export default async function AlertsPage() {
  await requirePageActor("viewer");
  return (
    <>
      <PageHeader
        title="Alerts"
        description="What the built-in rules see going wrong across the fleet, firing now and resolved, with who acknowledged or silenced it. Notifications go to the channels."
      />
      <AlertsTabs />
      <Suspense>
        <AlertsView />
      </Suspense>
    </>
  );
}
