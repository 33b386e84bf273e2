import { ScrollText } from "lucide-react";
import type { Metadata } from "next";

import { PageHeader } from "@/components/shell/page-header";
import { EmptyState } from "@/components/ui/empty-state";

export const metadata: Metadata = { title: "Audit" };

export default function AuditPage() {
  return (
    <>
      <PageHeader title="Audit" description="Every change Minos made, who made it and what came of it." />
      <EmptyState icon={ScrollText} title="No audit entries">
        Minos has not changed anything yet. Applies, rollouts and upgrades will be recorded here.
      </EmptyState>
    </>
  );
}
