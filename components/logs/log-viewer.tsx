"use client";

import { Plus } from "lucide-react";
import { useState } from "react";

import { Button } from "@/components/ui/button";

import { LogPane, type PaneSpec } from "./log-pane";

/** Side by side beyond this, panes get too narrow to read. */
export const MAX_PANES = 4;

interface LogViewerProps {
  node: string;
  nodeName: string;
  /** What a pane may show: the node's services and `kernel`. */
  sources: readonly string[];
  /** The first pane's source. */
  initial: string;
}

/** Several logs of one node side by side; each pane streams on its own and stops when closed. */
export function LogViewer({ node, nodeName, sources, initial }: LogViewerProps) {
  const [panes, setPanes] = useState<PaneSpec[]>([{ key: 1, source: initial }]);
  const [nextKey, setNextKey] = useState(2);

  const add = () => {
    const used = new Set(panes.map((p) => p.source));
    const source = sources.find((s) => !used.has(s)) ?? sources[0] ?? initial;
    setPanes((ps) => [...ps, { key: nextKey, source }]);
    setNextKey((k) => k + 1);
  };

  return (
    <div className="flex h-[calc(100vh-12rem)] min-h-96 flex-col gap-3">
      <div className="flex items-center justify-between gap-2">
        <p className="text-sm text-fg-muted">
          {panes.length === 1 ? "One log" : `${panes.length} logs side by side`}; each keeps its last 100,000 lines.
        </p>
        <Button size="sm" onClick={add} disabled={panes.length >= MAX_PANES}>
          <Plus aria-hidden className="size-4" /> Add a pane
        </Button>
      </div>
      <div className="flex min-h-0 flex-1 gap-3">
        {panes.map((p) => (
          <LogPane
            key={p.key}
            node={node}
            nodeName={nodeName}
            pane={p}
            sources={sources}
            onSourceChange={(source) => setPanes((ps) => ps.map((x) => (x.key === p.key ? { ...x, source } : x)))}
            onClose={panes.length > 1 ? () => setPanes((ps) => ps.filter((x) => x.key !== p.key)) : undefined}
          />
        ))}
      </div>
    </div>
  );
}
