import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { FileCode2, ScrollText } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { NodeDetailClient } from "@/app/(dashboard)/nodes/[node]/client";
import type { CertResult } from "@/components/fleet/cert-expiry";
import { PageHeader } from "@/components/shell/page-header";
import { buttonVariants } from "@/components/ui/button";
import { parseNodeId } from "@/lib/fleet/node-id";
import { nodeDetailQueryOptions, nodesQueryOptions } from "@/lib/client/fleet";
import { alertsQueryOptions } from "@/lib/client/alerts";
import { makeQueryClient } from "@/lib/client/query-client";
import type { Certificate } from "@/lib/schemas/certs";
import { requirePageActor, type PageGrant } from "@/lib/server/auth/page";
import { isAppError } from "@/lib/server/platform/errors";
import { pageAlerts, pageCertificates, pageNodeDetail, pageNodes } from "@/lib/server/page-data";

export async function generateMetadata({ params }: { params: Promise<{ node: string }> }): Promise<Metadata> {
  await requirePageActor("viewer");
  const id = decodeURIComponent((await params).node);
  return { title: parseNodeId(id)?.address ?? id };
}

async function nodeCertificates(grant: PageGrant, id: string, cluster: string): Promise<CertResult<Certificate[]>> {
  try {
    const { certificates } = await pageCertificates(grant, { cluster });
    return { ok: true, data: certificates.filter((c) => c.nodes.includes(id)) };
  } catch (e) {
    console.error(`[minos] node ${id}: certificates`, e);
    return { ok: false, error: e instanceof Error ? e.message : "the certificate scan failed" };
  }
}

export default async function NodePage({ params }: { params: Promise<{ node: string }> }) {
  const grant = await requirePageActor("viewer");
  const id = decodeURIComponent((await params).node);
  const detail = await pageNodeDetail(grant, id).catch((e: unknown) => {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  });
  const queryClient = makeQueryClient();
  queryClient.setQueryData(nodeDetailQueryOptions(id).queryKey, detail);
  // The node's alerts come from the store, the rest from the poller: a store hiccup leaves the alerts to the browser.
  const alerts = await pageAlerts(grant, { node: id }).catch(() => null);
  if (alerts) queryClient.setQueryData(alertsQueryOptions({ node: id }).queryKey, alerts);
  const s = detail.summary;
  // The Kubernetes panel says why Kubernetes cannot be asked from the cluster's roll-up.
  if (s.kubernetes) queryClient.setQueryData(nodesQueryOptions(s.cluster).queryKey, await pageNodes(grant, s.cluster));
  return (
    <>
      <PageHeader
        title={s.hostname ?? s.address}
        description={`${s.hostname ? `${s.address} · ` : ""}${s.role === "controlplane" ? "Control plane" : s.role === "worker" ? "Worker" : "Node"} of cluster ${s.cluster}`}
        actions={
          <div className="flex flex-wrap gap-2">
            <Link href={`/nodes/${encodeURIComponent(id)}/logs`} className={buttonVariants({ variant: "secondary" })}>
              <ScrollText aria-hidden className="size-4" />
              Logs
            </Link>
            <Link href={`/config?node=${encodeURIComponent(id)}`} className={buttonVariants({ variant: "secondary" })}>
              <FileCode2 aria-hidden className="size-4" />
              Open its config
            </Link>
          </div>
        }
      />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <NodeDetailClient id={id} certificates={nodeCertificates(grant, id, s.cluster)} />
      </HydrationBoundary>
    </>
  );
}
