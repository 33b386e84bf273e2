"use client";

import { AlertTriangle, CircleDot, Radio } from "lucide-react";
import { useEffect, useState } from "react";

import { Card } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { mergeEvents } from "@/lib/client/logs";
import { nodeEventSchema, type NodeEvent } from "@/lib/schemas/logs";

type Status = "connecting" | "live" | "down";

/** How long after a refused connection (e.g. the node unreachable) the list asks again. */
const RETRY_MS = 10_000;

/**
 * The node's Talos events (MachineService.Events) as a live list: the last 50 buffered ones,
 * then each as it happens. The stream closes with the page; EventSource reconnects on its own.
 */
export function NodeEvents({ node }: { node: string }) {
  const [events, setEvents] = useState<NodeEvent[]>([]);
  const [status, setStatus] = useState<Status>("connecting");
  const [ended, setEnded] = useState<string | null>(null);

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let batch: NodeEvent[] = [];
    let frame: number | null = null;
    const flush = () => {
      frame = null;
      const b = batch;
      batch = [];
      setEvents((list) => mergeEvents(list, b));
    };
    const connect = () => {
      const es = new EventSource(`/api/nodes/${encodeURIComponent(node)}/events?tail=50`);
      source = es;
      es.addEventListener("open", () => setStatus("live"));
      es.addEventListener("error", () => {
        setStatus("down");
        // An error status (the node unreachable: 503) closes an EventSource for good: try again later.
        if (es.readyState === EventSource.CLOSED) retry = setTimeout(connect, RETRY_MS);
      });
      es.addEventListener("talos", (m) => {
        const parsed = nodeEventSchema.safeParse(JSON.parse((m as MessageEvent<string>).data));
        if (!parsed.success) return;
        batch.push(parsed.data);
        setEnded(null);
        if (frame === null) frame = requestAnimationFrame(flush);
      });
      es.addEventListener("end", (m) => {
        const data = JSON.parse((m as MessageEvent<string>).data) as { message?: string; code?: string };
        setEnded(data.message ?? "the node ended the event stream");
        // The session no longer passes: reconnecting would only be refused until the user signs in again.
        if (data.code === "unauthorized") {
          es.close();
          setStatus("down");
        }
      });
    };
    connect();
    return () => {
      source?.close();
      if (retry !== null) clearTimeout(retry);
      if (frame !== null) cancelAnimationFrame(frame);
    };
  }, [node]);

  return (
    <Card>
      <div className="flex items-center gap-2 border-b border-border px-4 py-2 text-xs text-fg-muted">
        {status === "live" ? <Radio aria-hidden className="size-3.5 text-ok" /> : <CircleDot aria-hidden className="size-3.5" />}
        <span data-testid="events-status">{status === "live" ? "Live" : status === "connecting" ? "Connecting…" : "Reconnecting…"}</span>
        {ended ? <span>· {ended}</span> : null}
      </div>
      {events.length === 0 ? (
        <p role="status" className="px-4 py-3 text-sm text-fg-muted">
          {status === "connecting" ? "Loading events…" : "No events yet."}
        </p>
      ) : (
        // Scrolls on its own: a tab stop, so a keyboard can scroll it too.
        <div role="region" aria-label="Talos events, scrollable" tabIndex={0} className="max-h-80 overflow-auto focus-visible:outline-2 focus-visible:outline-accent">
          <ol aria-label="Talos events" className="divide-y divide-border text-sm">
            {events.map((e) => (
              <li key={e.id} className="flex items-start gap-3 px-4 py-1.5">
                <span className="w-24 shrink-0 text-xs text-fg-muted">{e.at ? <RelativeTime iso={e.at} /> : "—"}</span>
                {e.failure ? <AlertTriangle aria-label="failure" className="mt-0.5 size-4 shrink-0 text-danger" /> : null}
                <span className="min-w-0 break-words font-mono text-xs">{e.summary}</span>
              </li>
            ))}
          </ol>
        </div>
      )}
    </Card>
  );
}
