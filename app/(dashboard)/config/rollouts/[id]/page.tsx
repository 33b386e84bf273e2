import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { ConfigNav } from "@/components/config-push/config-nav";
import { RolloutDetail } from "@/components/config-push/rollout-view";
import { PageHeader } from "@/components/shell/page-header";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Rollout" };

export default async function RolloutPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageActor("viewer");
  const { id } = await params;
  if (!/^[\w-]{1,100}$/.test(id)) notFound();
  return (
    <>
      <PageHeader title="Config rollout" description="Per-node results: preflight, apply, and back healthy before the next node." />
      <ConfigNav />
      <RolloutDetail id={id} />
    </>
  );
}
