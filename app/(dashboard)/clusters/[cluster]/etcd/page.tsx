import { ArrowLeft } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { EtcdPageClient } from "@/app/(dashboard)/clusters/[cluster]/etcd/client";
import { PageHeader } from "@/components/shell/page-header";
import { buttonVariants } from "@/components/ui/button";
import { requirePageActor } from "@/lib/server/auth/page";
import { pageClusters } from "@/lib/server/page-data";

export async function generateMetadata({ params }: { params: Promise<{ cluster: string }> }): Promise<Metadata> {
  await requirePageActor("viewer");
  return { title: `etcd · ${decodeURIComponent((await params).cluster)}` };
}

export default async function EtcdPage({ params }: { params: Promise<{ cluster: string }> }) {
  const grant = await requirePageActor("viewer");
  const cluster = decodeURIComponent((await params).cluster);
  const { clusters } = await pageClusters(grant);
  if (!clusters.some((c) => c.name === cluster)) notFound();
  return (
    <>
      <PageHeader
        title={`etcd of ${cluster}`}
        description="Each control plane's etcd member: leader, database size and in-use size, raft index, alarms, and the quorum they make. Defragment, disarm alarms, move leadership, remove a member, or download a snapshot."
        actions={
          <div className="flex gap-2">
            <Link href={`/backups?cluster=${encodeURIComponent(cluster)}`} className={buttonVariants({ size: "sm" })}>
              Backups
            </Link>
            <Link href={`/clusters/${encodeURIComponent(cluster)}`} className={buttonVariants({ size: "sm" })}>
              <ArrowLeft aria-hidden className="size-4" /> Cluster {cluster}
            </Link>
          </div>
        }
      />
      <EtcdPageClient cluster={cluster} />
    </>
  );
}
