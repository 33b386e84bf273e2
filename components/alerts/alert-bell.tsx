"use client";

import { useQuery } from "@tanstack/react-query";
import { Bell as BellIcon, BellRing } from "lucide-react";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense, useSyncExternalStore } from "react";

import { alertsQueryOptions } from "@/lib/client/alerts";
import { useEventStream, usePageHydrated } from "@/lib/client/use-event-stream";
import type { AlertCounts } from "@/lib/schemas/alerts";
import { keepCluster } from "@/lib/utils/cluster-param";
import { cn } from "@/lib/utils/cn";

/**
 * What the bell counts: firing alerts that need someone, critical and warning. Info ones (a Talos
 * minor past its support, say) are listed on the Alerts page but never light the bell: a fleet
 * that is merely due for an upgrade must not look like one on fire at 3 a.m.
 */
export function bellCount(counts: AlertCounts | undefined): number {
  return counts ? counts.critical + counts.warning : 0;
}

/** The bell's words: how many fire, and how many of those are critical. */
export function bellLabel(counts: AlertCounts | undefined): string {
  if (!counts) return "Alerts";
  const n = bellCount(counts);
  if (n === 0) return "Alerts: none firing";
  return `Alerts: ${n} firing${counts.critical > 0 ? `, ${counts.critical} critical` : ""}`;
}

/** The bell's look for these counts (its colour repeats what the label says, never alone). */
export function bellTone(counts: AlertCounts | undefined): "critical" | "firing" | "quiet" {
  if (bellCount(counts) === 0) return "quiet";
  return counts!.critical > 0 ? "critical" : "firing";
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

const subscribeNever = () => () => {};

function Bell({ cluster }: { cluster: string | null }) {
  // Live on every page, once the page has hydrated (a page with fleet data opens the stream itself).
  useEventStream("/api/events", { enabled: usePageHydrated() });
  const q = useQuery(alertsQueryOptions());
  // The bell hydrates late (under its Suspense), and by then the event stream may have changed the
  // counts the server rendered: React would find other text than the HTML's. So the counts show
  // from the first client render after hydration (the shell's prefetched data: no round trip).
  const hydrated = useSyncExternalStore(subscribeNever, () => true, () => false);
  return <BellLink cluster={cluster} counts={hydrated ? q.data?.counts : undefined} error={q.isError ? q.error.message : null} />;
}

/** The bell itself for these counts (none: no number, the plain icon). */
export function BellLink({ cluster, counts, error }: { cluster: string | null; counts: AlertCounts | undefined; error: string | null }) {
  const tone = bellTone(counts);
  const Icon = tone === "quiet" ? BellIcon : BellRing;
  return (
    <Link
      href={keepCluster("/alerts", cluster)}
      aria-label={bellLabel(counts)}
      title={error !== null ? `Alerts: ${error}` : `${bellLabel(counts)}${counts?.info ? ` (and ${counts.info} info)` : ""}`}
      data-tone={tone}
      className={cn(
        "relative inline-flex h-9 items-center gap-1 rounded-md px-2 text-sm font-medium transition-colors hover:bg-surface-muted",
        tone === "critical" ? "text-danger" : tone === "firing" ? "text-warn" : "text-fg-muted",
      )}
    >
      <Icon aria-hidden className="size-5" />
      {bellCount(counts) > 0 ? (
        <span
          data-testid="alert-bell-count"
          className={cn(
            "min-w-5 rounded-full px-1.5 text-center text-xs font-semibold",
            // White on the dark theme's light red and amber fails AA: each fill has its own text token.
            tone === "critical" ? "bg-danger text-danger-fg" : "bg-warn text-warn-fg",
          )}
        >
          {bellCount(counts)}
        </span>
      ) : null}
    </Link>
  );
}
