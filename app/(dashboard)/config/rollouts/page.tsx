import type { Metadata } from "next";

import { ConfigNav } from "@/components/config-push/config-nav";
import { RolloutList } from "@/components/config-push/rollout-view";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Config rollouts" };

export default function RolloutsPage() {
  return (
    <>
      <PageHeader title="Config rollouts" description="One config applied to many nodes: every target preflighted first, then applied in turn." />
      <ConfigNav />
      <RolloutList />
    </>
  );
}
