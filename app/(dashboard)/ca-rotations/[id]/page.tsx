import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { CaRotationLive } from "@/components/ca-rotation/ca-rotation-live";
import { PageHeader } from "@/components/shell/page-header";
import { caRotationQueryOptions } from "@/lib/client/ca-rotation";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageCaRotation } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "CA rotation" };

export default async function CaRotationPage({ params }: { params: Promise<{ id: string }> }) {
  const grant = await requirePageActor("viewer");
  const { id } = await params;
  const rotation = await pageCaRotation(grant, id);
  if (!rotation) notFound();
  const queryClient = makeQueryClient();
  queryClient.setQueryData(caRotationQueryOptions(id).queryKey, rotation);
  return (
    <>
      <PageHeader
        title={`CA rotation of ${rotation.cluster}`}
        description={`Started ${rotation.createdAt.slice(0, 19).replace("T", " ")} UTC by ${rotation.actor} · ${rotation.steps.length} steps`}
        actions={
          <Link href="/ca-rotations" className="text-sm text-accent hover:underline">
            All CA rotations
          </Link>
        }
      />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <CaRotationLive id={id} />
      </HydrationBoundary>
    </>
  );
}
