"use client";

import { useQuery } from "@tanstack/react-query";
import { Bell as BellIcon, BellRing } from "lucide-react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { keepCluster } from "@/components/alerts/model";

import { alertsQueryOptions } from "@/lib/client/alerts";
import { useEventStream } from "@/lib/client/use-event-stream";
import type { AlertCounts } from "@/lib/schemas/alerts";
import { cn } from "@/lib/utils/cn";

/** The bell's words: how many fire, and how many of those are critical. */
export function bellLabel(counts: AlertCounts | undefined): string {
  if (!counts) return "Alerts";
  if (counts.firing === 0) return "Alerts: none firing";
  return `Alerts: ${counts.firing} firing${counts.critical > 0 ? `, ${counts.critical} critical` : ""}`;
}

/** The bell's look for these counts (its colour repeats what the label says, never alone). */
export function bellTone(counts: AlertCounts | undefined): "critical" | "firing" | "quiet" {
  if (!counts || counts.firing === 0) return "quiet";
  return counts.critical > 0 ? "critical" : "firing";
}

/**
 * In the header: the firing count (silenced ones left out), live over the SSE `alerts` event,
 * linking to /alerts with the selected cluster kept (its query string read under its own
 * Suspense: a static render links to plain /alerts).
 */
export function AlertBell() {
  return (
    <Suspense fallback={<Bell cluster={null} />}>
      <BellKeepingCluster />
    </Suspense>
  );
}

function BellKeepingCluster() {
  return <Bell cluster={useSearchParams().get("cluster")} />;
}

function Bell({ cluster }: { cluster: string | null }) {
  useEventStream();
  const q = useQuery(alertsQueryOptions());
  const counts = q.data?.counts;
  const tone = bellTone(counts);
  const Icon = tone === "quiet" ? BellIcon : BellRing;
  return (
    <Link
      href={keepCluster("/alerts", cluster)}
      aria-label={bellLabel(counts)}
      title={q.isError ? `Alerts: ${q.error.message}` : bellLabel(counts)}
      data-tone={tone}
      className={cn(
        "relative inline-flex h-9 items-center gap-1 rounded-md px-2 text-sm font-medium transition-colors hover:bg-surface-muted",
        tone === "critical" ? "text-danger" : tone === "firing" ? "text-warn" : "text-fg-muted",
      )}
    >
      <Icon aria-hidden className="size-5" />
      {counts && counts.firing > 0 ? (
        <span
          data-testid="alert-bell-count"
          className={cn(
            "min-w-5 rounded-full px-1.5 text-center text-xs font-semibold",
            // White on the dark theme's light red and amber fails AA: each fill has its own text token.
            tone === "critical" ? "bg-danger text-danger-fg" : "bg-warn text-warn-fg",
          )}
        >
          {counts.firing}
        </span>
      ) : null}
    </Link>
  );
}
