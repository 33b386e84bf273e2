import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { BulkRunView } from "@/components/bulk/bulk-run-view";
import { runTitle } from "@/components/bulk/bulk-model";
import { PageHeader } from "@/components/shell/page-header";
import { bulkRunQueryOptions } from "@/lib/client/bulk";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageBulkRun } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Bulk action" };

export default async function BulkRunPage({ params }: { params: Promise<{ id: string }> }) {
  const grant = await requirePageActor("viewer");
  const { id } = await params;
  const run = await pageBulkRun(grant, id);
  if (!run) notFound();
  const queryClient = makeQueryClient();
  queryClient.setQueryData(bulkRunQueryOptions(id).queryKey, run);
  return (
    <>
      <PageHeader
        title={runTitle(run)}
        description="Per-node progress of a bulk action: control planes one at a time, then workers by the concurrency chosen, each back healthy before the next."
        actions={
          <Link href="/bulk" className="text-sm text-accent hover:underline">
            All bulk actions
          </Link>
        }
      />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <BulkRunView id={id} />
      </HydrationBoundary>
    </>
  );
}
