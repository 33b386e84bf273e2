"use client";

import { Radio, RefreshCw, WifiOff } from "lucide-react";

import { RelativeTime } from "@/components/ui/relative-time";
import { Badge } from "@/components/ui/badge";
import type { EventStreamStatus } from "@/lib/client/use-event-stream";

/**
 * Whether what the page shows is live: the SSE stream's state and the snapshot's age. When the
 * stream is down the queries poll, so the data is still fresh, just less promptly.
 */
export function LiveIndicator({ status, updatedAt, label = "Last change" }: { status: EventStreamStatus; updatedAt: string | null; label?: string }) {
  return (
    <p className="flex flex-wrap items-center gap-2 text-xs text-fg-muted">
      {status === "live" ? (
        <Badge tone="ok" title="Changes arrive as they happen (server-sent events)">
          <Radio aria-hidden className="size-3" />
          Live
        </Badge>
      ) : status === "down" ? (
        <Badge tone="warn" title="The live stream is down; Minos re-reads the fleet every few seconds until it is back">
          <WifiOff aria-hidden className="size-3" />
          Reconnecting, polling meanwhile
        </Badge>
      ) : (
        <Badge title="Opening the live stream">
          <RefreshCw aria-hidden className="size-3" />
          Connecting
        </Badge>
      )}
      <span>
        {updatedAt ? (
          <>
            {label} <RelativeTime iso={updatedAt} />
          </>
        ) : (
          `${label}: never`
        )}
      </span>
    </p>
  );
}
