import type { Metadata } from "next";
import { Suspense } from "react";

import { AlertsTabs } from "@/components/alerts/alerts-tabs";
import { SilencesView } from "@/components/alerts/silences-view";
import { PageHeader } from "@/components/shell/page-header";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Alert silences" };

export default async function AlertSilencesPage() {
  await requirePageActor("viewer");
  return (
    <>
      <PageHeader
        title="Alert silences"
        description="Keep alerts quiet for a while (a maintenance window, a known outage): by rule, cluster or node, with an end time and a reason. Silenced alerts still show, marked, but notify nobody."
      />
      <AlertsTabs />
      <Suspense>
        <SilencesView />
      </Suspense>
    </>
  );
}
