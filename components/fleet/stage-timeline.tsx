"use client";

import { CircleAlert, CircleCheck, History } from "lucide-react";

import { formatUtc } from "@/components/fleet/format";
import { stageLabel } from "@/components/fleet/node-status";
import { RelativeTime } from "@/components/ui/relative-time";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import type { StageEvent } from "@/lib/schemas/fleet";

/** The node's stage changes, newest first, from its Events stream. */
export function StageTimeline({ events }: { events: StageEvent[] }) {
  if (events.length === 0) {
    return (
      <EmptyState icon={History} title="No stage changes seen">
        Minos records a stage change (booting, running, rebooting…) when the node reports one; none since Minos started.
      </EmptyState>
    );
  }
  const newestFirst = [...events].reverse();
  return (
    <Card className="p-4">
      <ol aria-label="Stage timeline" className="relative space-y-3 border-l border-border pl-5">
        {newestFirst.map((e, i) => (
          <li key={`${e.time}-${i}`} className="relative text-sm">
            <span
              aria-hidden
              className={`absolute -left-[1.6rem] top-1 size-2.5 rounded-full border-2 border-surface ${e.stage === "running" && e.ready !== false ? "bg-ok" : "bg-info"}`}
            />
            <div className="flex flex-wrap items-center gap-x-2">
              <span className="font-medium">{stageLabel(e.stage)}</span>
              {e.ready === true ? (
                <span className="inline-flex items-center gap-1 text-ok">
                  <CircleCheck aria-hidden className="size-3.5" />
                  ready
                </span>
              ) : e.ready === false ? (
                <span className="inline-flex items-center gap-1 text-warn">
                  <CircleAlert aria-hidden className="size-3.5" />
                  not ready
                </span>
              ) : null}
              <span className="text-xs text-fg-muted">
                <RelativeTime iso={e.time} /> · {formatUtc(e.time)}
              </span>
            </div>
          </li>
        ))}
      </ol>
    </Card>
  );
}
