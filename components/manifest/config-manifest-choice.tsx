"use client";

import { useQueries, useQuery } from "@tanstack/react-query";
import { ArrowRight, FileStack } from "lucide-react";
import Link from "next/link";

import { Card } from "@/components/ui/card";
import { clustersQueryOptions } from "@/lib/client/clusters";
import { manifestQueryOptions } from "@/lib/client/manifests";

/**
 * The config page's first choice: each cluster's manifest (the declarative way to change every
 * node), above the single-node editor, which stays for one-off changes.
 */
export function ConfigManifestChoice({ cluster }: { cluster: string | null }) {
  const clusters = useQuery(clustersQueryOptions);
  const list = (clusters.data?.clusters ?? []).filter((c) => !cluster || c.name === cluster);
  const manifests = useQueries({ queries: list.map((c) => manifestQueryOptions(c.name)) });
  if (list.length === 0) return null;
  return (
    <Card className="space-y-3 px-4 py-3">
      <div className="flex flex-wrap items-baseline gap-x-3">
        <h2 className="flex items-center gap-2 text-sm font-semibold">
          <FileStack aria-hidden className="size-4 text-fg-muted" /> Cluster manifest
        </h2>
        <p className="text-xs text-fg-muted">Change every node of a cluster from one declarative file, planned and applied as a rollout. The editor below is for one-off changes to a single node.</p>
      </div>
      <ul className="flex flex-wrap gap-2">
        {list.map((c, i) => {
          const m = manifests[i];
          const state = m?.isPending ? "checking…" : m?.isError ? "cannot read" : m?.data ? `revision #${m.data.revision}` : "not adopted yet";
          return (
            <li key={c.name}>
              <Link
                href={`/clusters/${encodeURIComponent(c.name)}`}
                className="flex items-center gap-2 rounded-md border border-border px-3 py-1.5 text-sm hover:bg-surface-muted"
                aria-label={`Cluster manifest of ${c.name} (${state})`}
              >
                <span className="font-medium">{c.name}</span>
                <span className="text-xs text-fg-muted">{state}</span>
                <ArrowRight aria-hidden className="size-4 text-fg-muted" />
              </Link>
            </li>
          );
        })}
      </ul>
    </Card>
  );
}
