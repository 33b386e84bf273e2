import { Server } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";

import { PageHeader } from "@/components/shell/page-header";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { nodeId } from "@/lib/fleet/node-id";
import { listClusters } from "@/lib/server/fleet/clusters";

export const metadata: Metadata = { title: "Nodes" };

export default async function NodesPage({ searchParams }: { searchParams: Promise<{ cluster?: string }> }) {
  const { cluster } = await searchParams;
  const { clusters } = await listClusters();
  const rows = clusters
    .filter((c) => !cluster || c.name === cluster)
    .flatMap((c) => c.nodes.map((node) => ({ id: nodeId(c.name, node), cluster: c.name, node, endpoint: c.endpoints.includes(node) })));

  return (
    <>
      <PageHeader title="Nodes" description="Every node named in your talosconfig, across clusters." />
      {rows.length === 0 ? (
        <EmptyState icon={Server} title="No nodes">
          {cluster ? `The cluster "${cluster}" lists no nodes in its talosconfig context.` : "Your talosconfig names no nodes. Add them to a context's nodes list."}
        </EmptyState>
      ) : (
        <Card className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-border text-xs uppercase tracking-wide text-fg-muted">
              <tr>
                <th scope="col" className="px-4 py-3 font-medium">Node</th>
                <th scope="col" className="px-4 py-3 font-medium">Cluster</th>
                <th scope="col" className="px-4 py-3 font-medium">API endpoint</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} className="border-b border-border last:border-0">
                  <td className="px-4 py-2 font-mono">
                    <Link href={`/nodes/${encodeURIComponent(r.id)}`} className="text-accent hover:underline">
                      {r.node}
                    </Link>
                  </td>
                  <td className="px-4 py-2">{r.cluster}</td>
                  <td className="px-4 py-2 text-fg-muted">{r.endpoint ? "yes" : "no"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="border-t border-border px-4 py-3 text-xs text-fg-muted">
            Live health, stage and version per node arrive with the fleet poller.
          </p>
        </Card>
      )}
    </>
  );
}
