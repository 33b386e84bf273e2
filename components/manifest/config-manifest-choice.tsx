import { ArrowRight, FileStack } from "lucide-react";
import Link from "next/link";

import { Card } from "@/components/ui/card";

/**
 * The config page's first choice: each cluster's manifest (the declarative way to change every
 * node), above the single-node editor, which stays for one-off changes. `manifests`: each
 * cluster's latest revision (null before adoption), read by the page on the server.
 */
export function ConfigManifestChoice({ manifests }: { manifests: Record<string, number | null> }) {
  const list = Object.entries(manifests);
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
        {list.map(([cluster, revision]) => {
          const state = revision === null ? "not adopted yet" : `revision #${revision}`;
          return (
            <li key={cluster}>
              <Link
                href={`/clusters/${encodeURIComponent(cluster)}`}
                className="flex items-center gap-2 rounded-md border border-border px-3 py-1.5 text-sm hover:bg-surface-muted"
              >
                {/* The name comes from the text itself, so what is read out starts with what is seen. */}
                <span className="sr-only">Cluster manifest of </span>
                <span className="font-medium">{cluster}</span>
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
