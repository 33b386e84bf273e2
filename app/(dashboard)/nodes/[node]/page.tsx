import { Server } from "lucide-react";
import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { PageHeader } from "@/components/shell/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { listClusters } from "@/lib/server/fleet/clusters";

export async function generateMetadata({ params }: { params: Promise<{ node: string }> }): Promise<Metadata> {
  return { title: decodeURIComponent((await params).node) };
}

export default async function NodePage({ params }: { params: Promise<{ node: string }> }) {
  const node = decodeURIComponent((await params).node);
  const { clusters } = await listClusters();
  const cluster = clusters.find((c) => c.nodes.includes(node));
  if (!cluster) notFound();
  return (
    <>
      <PageHeader title={node} description={`Node of cluster ${cluster.name}`} />
      <EmptyState icon={Server} title="Node details are not collected yet">
        Services, etcd role, memory and load charts for this node arrive with the fleet poller.
      </EmptyState>
    </>
  );
}
