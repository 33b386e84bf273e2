import { FileCode2, Server } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { PageHeader } from "@/components/shell/page-header";
import { buttonVariants } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { parseNodeId } from "@/lib/fleet/node-id";
import { isAppError } from "@/lib/server/errors";
import { resolveNodeOrThrow } from "@/lib/server/fleet/nodes";

export async function generateMetadata({ params }: { params: Promise<{ node: string }> }): Promise<Metadata> {
  const id = decodeURIComponent((await params).node);
  return { title: parseNodeId(id)?.address ?? id };
}

export default async function NodePage({ params }: { params: Promise<{ node: string }> }) {
  const id = decodeURIComponent((await params).node);
  const node = await resolveNodeOrThrow(id).catch((e: unknown) => {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  });
  return (
    <>
      <PageHeader
        title={node.address}
        description={`Node of cluster ${node.cluster}`}
        actions={
          <Link href={`/config?node=${encodeURIComponent(id)}`} className={buttonVariants({ variant: "secondary" })}>
            <FileCode2 aria-hidden className="size-4" />
            Open its config
          </Link>
        }
      />
      <EmptyState icon={Server} title="Node details are not collected yet">
        Services, etcd role, memory and load charts for this node arrive with the fleet poller.
      </EmptyState>
    </>
  );
}
