import type { Metadata } from "next";

import { ConfigNav } from "@/components/config-push/config-nav";
import { RolloutList } from "@/components/config-push/rollout-view";
import { PageHeader } from "@/components/shell/page-header";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Config rollouts" };

export default async function RolloutsPage() {
  // No server data here (the list loads through the API), but the page itself is for signed-in people.
  await requirePageActor("viewer");
  return (
    <>
      <PageHeader title="Config rollouts" description="One config applied to many nodes: every target preflighted first, then applied in turn." />
      <ConfigNav />
      <RolloutList />
    </>
  );
}
