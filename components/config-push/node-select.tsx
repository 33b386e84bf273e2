"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";

import { nodeId } from "@/lib/fleet/node-id";
import { clustersQueryOptions } from "@/lib/client/clusters";

/** Picks the node a page is about; the choice lives in the URL (`?node=`). */
export function NodeSelect({ node, basePath, cluster }: { node: string | null; basePath: string; cluster: string | null }) {
  const router = useRouter();
  const clusters = useQuery(clustersQueryOptions);
  const groups = (clusters.data?.clusters ?? []).filter((c) => !cluster || c.name === cluster);
  return (
    <label className="flex items-center gap-2 text-sm">
      <span className="font-medium">Node</span>
      <select
        aria-label="Node"
        value={node ?? ""}
        onChange={(e) => router.push(`${basePath}?node=${encodeURIComponent(e.target.value)}`)}
        className="h-8 w-64 rounded-md border border-border bg-surface px-2 font-mono text-sm"
        disabled={clusters.isPending}
      >
        {node ? null : <option value="">{clusters.isPending ? "Loading nodes…" : "Choose a node"}</option>}
        {groups.map((c) => (
          <optgroup key={c.name} label={c.name}>
            {c.nodes.map((a) => (
              <option key={a} value={nodeId(c.name, a)}>
                {a}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      {clusters.isError ? <span role="alert" className="text-danger">Cannot list nodes: {clusters.error.message}</span> : null}
    </label>
  );
}
