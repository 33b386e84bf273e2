import { Activity } from "lucide-react";
import type { Metadata } from "next";

import { PageHeader } from "@/components/shell/page-header";
import { EmptyState } from "@/components/ui/empty-state";

export const metadata: Metadata = { title: "Upgrades" };

export default function UpgradesPage() {
  return (
    <>
      <PageHeader title="Upgrades" description="Rolling Talos upgrades that keep etcd quorum." />
      <EmptyState icon={Activity} title="No upgrades">
        No upgrade has been planned or run from Minos. Rolling upgrades are not available yet.
      </EmptyState>
    </>
  );
}
