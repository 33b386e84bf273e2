import { ArrowLeft } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { NodeLogsClient } from "@/app/(dashboard)/nodes/[node]/logs/client";
import { PageHeader } from "@/components/shell/page-header";
import { buttonVariants } from "@/components/ui/button";
import { parseNodeId } from "@/lib/fleet/node-id";
import { KERNEL_LOG, logSourceIdSchema } from "@/lib/schemas/logs";
import { requirePageActor } from "@/lib/server/auth/page";
import { isAppError } from "@/lib/server/platform/errors";
import { pageNodeDetail } from "@/lib/server/page-data";

export async function generateMetadata({ params }: { params: Promise<{ node: string }> }): Promise<Metadata> {
  await requirePageActor("viewer");
  const id = decodeURIComponent((await params).node);
  return { title: `Logs · ${parseNodeId(id)?.address ?? id}` };
}

export default async function NodeLogsPage({ params, searchParams }: { params: Promise<{ node: string }>; searchParams: Promise<{ source?: string | string[] }> }) {
  const grant = await requirePageActor("viewer");
  const id = decodeURIComponent((await params).node);
  const detail = await pageNodeDetail(grant, id).catch((e: unknown) => {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  });
  const s = detail.summary;
  // The node's services as the poller last saw them, then the kernel log: what talosctl logs / dmesg offer.
  const sources = [...new Set([...detail.services.map((x) => x.id).sort(), KERNEL_LOG])];
  const asked = (await searchParams).source;
  const wanted = typeof asked === "string" && logSourceIdSchema.safeParse(asked).success ? asked : undefined;
  const initial = wanted && sources.includes(wanted) ? wanted : sources.includes("machined") ? "machined" : sources[0]!;
  const name = s.hostname ?? s.address;
  return (
    <>
      <PageHeader
        title={`Logs of ${name}`}
        description="Service logs and the kernel log, streamed from the node (talosctl logs -f, talosctl dmesg -f)."
        actions={
          <Link href={`/nodes/${encodeURIComponent(id)}`} className={buttonVariants({ variant: "secondary" })}>
            <ArrowLeft aria-hidden className="size-4" />
            Back to the node
          </Link>
        }
      />
      <NodeLogsClient id={id} nodeName={name} sources={sources} initial={initial} />
    </>
  );
}
