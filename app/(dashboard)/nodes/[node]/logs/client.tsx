"use client";

import { LogViewer } from "@/components/logs/log-viewer";

/** The logs page's interactive view: panes of streamed logs. */
export function NodeLogsClient({ id, nodeName, sources, initial }: { id: string; nodeName: string; sources: string[]; initial: string }) {
  return <LogViewer node={id} nodeName={nodeName} sources={sources} initial={initial} />;
}
