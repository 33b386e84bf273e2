import type { Metadata } from "next";
import { Suspense } from "react";

import { AlertsTabs } from "@/components/alerts/alerts-tabs";
import { DeliveryLog } from "@/components/alerts/delivery-log";
import { PageHeader } from "@/components/shell/page-header";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Alert delivery log" };

export default async function AlertDeliveriesPage() {
  await requirePageActor("viewer");
  return (
    <>
      <PageHeader
        title="Alert delivery log"
        description="Every attempt to notify a channel, tests included: whether it was delivered, the answer's status code, how long it took, why it failed and when the next retry is due."
      />
      <AlertsTabs />
      <Suspense>
        <DeliveryLog />
      </Suspense>
    </>
  );
}
