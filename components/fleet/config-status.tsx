"use client";

import { useQuery } from "@tanstack/react-query";
import { FileCode2 } from "lucide-react";
import Link from "next/link";

import { RelativeTime } from "@/components/ui/relative-time";
import { buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { revisionsQueryOptions } from "@/lib/client/config-push";

/**
 * What Minos knows about the node's config: the last revision it recorded. Drift (running vs
 * recorded) is checked on the Config page, which reads the node's running config.
 */
export function ConfigStatus({ nodeId }: { nodeId: string }) {
  const query = useQuery(revisionsQueryOptions(nodeId));
  const last = query.data?.revisions[0];
  return (
    <Card className="flex flex-col gap-3 p-5" role="region" aria-label="Config status">
      <h3 className="flex items-center gap-2 text-sm font-medium">
        <FileCode2 aria-hidden className="size-4 text-fg-muted" />
        Config
      </h3>
      {query.isPending ? (
        <Skeleton className="h-10" />
      ) : query.isError ? (
        <p role="alert" className="text-sm text-fg-muted">
          Config history unavailable: {query.error.message}
        </p>
      ) : last ? (
        <p className="text-sm">
          Revision <span className="font-mono">#{last.id}</span> {last.result} by {last.author} <RelativeTime iso={last.at} />
          {last.mode ? <span className="text-fg-muted"> (mode {last.mode})</span> : null}.
          <span className="block text-xs text-fg-muted">
            {query.data.revisions.length} {query.data.revisions.length === 1 ? "revision" : "revisions"} recorded · config hash{" "}
            <span className="font-mono">{last.configHash.slice(0, 12)}</span>
          </span>
        </p>
      ) : (
        <p className="text-sm text-fg-muted">No revision recorded by Minos yet: its config was never applied through Minos.</p>
      )}
      <Link href={`/config?node=${encodeURIComponent(nodeId)}`} className={buttonVariants({ variant: "secondary", size: "sm", className: "self-start" })}>
        Open in the config editor
      </Link>
    </Card>
  );
}
