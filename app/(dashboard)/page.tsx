import { LayoutDashboard } from "lucide-react";
import type { Metadata } from "next";

import { PageHeader } from "@/components/shell/page-header";
import { EmptyState } from "@/components/ui/empty-state";

export const metadata: Metadata = { title: "Overview" };

export default function OverviewPage() {
  return (
    <>
      <PageHeader title="Overview" description="Health of every cluster, current problems and the nearest certificate expiry." />
      <EmptyState icon={LayoutDashboard} title="Fleet health is not collected yet">
        Minos can reach your clusters, but the fleet poller that gathers node health, etcd quorum and versions is not
        built yet. The clusters from your talosconfig are listed in the cluster selector above.
      </EmptyState>
    </>
  );
}
