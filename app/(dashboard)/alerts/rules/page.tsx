import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";

import { AlertsTabs } from "@/components/alerts/alerts-tabs";
import { RuleTable } from "@/components/alerts/rule-table";
import { PageHeader } from "@/components/shell/page-header";
import { alertRulesQueryOptions } from "@/lib/client/alerts";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageAlertSettings } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Alert rules" };

export default async function AlertRulesPage() {
  const grant = await requirePageActor("viewer");
  const queryClient = makeQueryClient();
  queryClient.setQueryData(alertRulesQueryOptions().queryKey, (await pageAlertSettings(grant, { rules: true })).rules);
  return (
    <>
      <PageHeader
        title="Alert rules"
        description="The built-in rules, on by default: how long a condition must hold before it fires, its severity, how often a critical one is repeated, and its thresholds. Admins change them."
      />
      <AlertsTabs />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <RuleTable />
      </HydrationBoundary>
    </>
  );
}
