"use client";

import { useQuery } from "@tanstack/react-query";
import { LoaderCircle } from "lucide-react";
import { useState } from "react";

import { UnifiedDiff } from "@/components/config-push/diff-view";
import { diffStats } from "@/components/config-push/diff-view-stats";
import { Select } from "@/components/ui/input";
import { manifestKeys, renderManifestNode } from "@/lib/client/manifests";

import type { ListedNode } from "./manifest-model";

/**
 * Any node's render of the manifest being edited, and its diff against what the node runs. It
 * follows the last text the server validated, so typing does not render on every keystroke.
 */
export function NodePanel({ cluster, yaml, nodes, outdated }: { cluster: string; yaml: string | null; nodes: ListedNode[]; outdated: boolean }) {
  const [picked, setPicked] = useState<string>("");
  const [view, setView] = useState<"diff" | "config">("diff");
  const node = nodes.find((n) => n.address === picked) ?? nodes[0] ?? null;
  const render = useQuery({
    queryKey: [...manifestKeys.cluster(cluster), "render", node?.address ?? "", yaml ?? ""],
    queryFn: ({ signal }) => renderManifestNode(cluster, yaml!, node!.address, signal),
    enabled: !!node && !!yaml,
    staleTime: 15_000,
    // While the next text renders, keep showing this node's last render (never another node's).
    placeholderData: (previous) => (previous && node && previous.node.split("@")[0] === node.address ? previous : undefined),
  });
  const stats = render.data?.diff ? diffStats(render.data.diff) : null;
  return (
    <section aria-label="Node preview" className="flex h-full min-h-0 flex-col">
      <div className="space-y-2 border-b border-border px-3 py-2">
        <label className="flex items-center gap-2 text-xs font-medium text-fg-muted">
          Node
          <Select aria-label="Preview node" value={node?.address ?? ""} onChange={(e) => setPicked(e.target.value)} className="h-8 min-w-0 flex-1 font-mono text-xs">
            {nodes.map((n) => (
              <option key={n.address} value={n.address}>
                {n.hostname} · {n.address} · {n.role}
              </option>
            ))}
          </Select>
        </label>
        <div role="tablist" aria-label="Preview" className="flex gap-1 text-xs">
          {(["diff", "config"] as const).map((v) => (
            <button
              key={v}
              role="tab"
              type="button"
              aria-selected={view === v}
              onClick={() => setView(v)}
              className={`rounded-md px-2 py-1 font-medium ${view === v ? "bg-surface-muted text-fg" : "text-fg-muted hover:text-fg"}`}
            >
              {v === "diff" ? "Diff against running" : "Rendered config"}
            </button>
          ))}
          {render.isFetching ? <LoaderCircle aria-label="Rendering" className="ml-auto size-4 animate-spin text-fg-muted" /> : null}
        </div>
      </div>
      {outdated ? (
        <p className="border-b border-border bg-warn/10 px-3 py-1.5 text-xs text-warn">Showing the last valid version of the manifest: fix the problems to preview your latest edit.</p>
      ) : null}
      <div className="min-h-0 flex-1 overflow-auto" role="tabpanel" aria-label={view === "diff" ? `Diff of ${node?.hostname ?? "the node"} against its running config` : `Rendered config of ${node?.hostname ?? "the node"}`}>
        {!node ? (
          <p className="p-3 text-sm text-fg-muted">The manifest lists no nodes yet.</p>
        ) : !yaml ? (
          <p className="p-3 text-sm text-fg-muted">Waiting for the manifest to be checked…</p>
        ) : render.isError ? (
          <p role="alert" className="p-3 text-sm text-danger">
            Cannot render {node.hostname}: {render.error.message}
          </p>
        ) : !render.data ? (
          <p className="p-3 text-sm text-fg-muted">Rendering {node.hostname}…</p>
        ) : view === "config" ? (
          <pre className="p-3 font-mono text-xs leading-5">{render.data.config}</pre>
        ) : render.data.diff === null ? (
          <p className="p-3 text-sm text-warn">No diff: {render.data.runningError ?? "the running config could not be read"}.</p>
        ) : (
          <>
            <p className="px-3 pt-2 text-xs text-fg-muted" data-testid="node-diff-stats">
              {stats && stats.added + stats.removed > 0 ? `${stats.added} line${stats.added === 1 ? "" : "s"} added, ${stats.removed} removed against what ${render.data.hostname} runs` : `${render.data.hostname} already runs this config`}
            </p>
            <UnifiedDiff text={render.data.diff} label={`Diff of ${render.data.hostname}`} />
          </>
        )}
      </div>
    </section>
  );
}
