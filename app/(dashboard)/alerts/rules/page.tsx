import type { Metadata } from "next";

import { AlertsTabs } from "@/components/alerts/alerts-tabs";
import { RuleTable } from "@/components/alerts/rule-table";
import { PageHeader } from "@/components/shell/page-header";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Alert rules" };

export default async function AlertRulesPage() {
  await requirePageActor("viewer");
  return (
    <>
      <PageHeader
        title="Alert rules"
        description="The built-in rules, on by default: how long a condition must hold before it fires, its severity, how often a critical one is repeated, and its thresholds. Admins change them."
      />
      <AlertsTabs />
      <RuleTable />
    </>
  );
}
