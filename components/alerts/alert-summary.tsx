"use client";

import { useQuery } from "@tanstack/react-query";
import { BellOff, CircleCheck } from "lucide-react";
import Link from "next/link";

import { AlertStateBadges, SeverityBadge } from "@/components/alerts/alert-badges";
import { ruleName } from "@/components/alerts/words";
import { Card } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { Skeleton } from "@/components/ui/skeleton";
import { alertsQueryOptions } from "@/lib/client/alerts";
import type { Alert } from "@/lib/schemas/alerts";

/** How many alerts each cluster shows on the overview before "and N more". */
const PER_CLUSTER = 3;

/** Firing alerts per cluster, the most severe first (the list comes sorted); silenced ones apart. */
export function firingByCluster(alerts: Alert[], cluster: string | null): Map<string, Alert[]> {
  const out = new Map<string, Alert[]>();
  for (const a of alerts) {
    if (a.status !== "firing" || (cluster && a.cluster !== cluster)) continue;
    out.set(a.cluster, [...(out.get(a.cluster) ?? []), a]);
  }
  return out;
}

function CompactRow({ alert: a }: { alert: Alert }) {
  return (
    <li className="flex items-start gap-2 py-1.5 text-sm">
      <SeverityBadge severity={a.severity} />
      <span className="min-w-0">
        <Link href={a.path} className="font-medium hover:text-accent hover:underline">
          {ruleName(a.rule)}
        </Link>
        <span className="text-fg-muted">: {a.summary}</span>
        {a.silencedBy ? (
          <span className="ml-1 inline-flex items-center gap-0.5 text-xs text-fg-muted">
            <BellOff aria-hidden className="size-3" /> silenced
          </span>
        ) : null}
      </span>
    </li>
  );
}

/** The overview's alerts card: firing ones per cluster, compact, shares the bell's (live) list. */
export function OverviewAlerts({ cluster }: { cluster: string | null }) {
  const q = useQuery(alertsQueryOptions());
  if (q.isPending) return <Skeleton className="h-24" />;
  if (q.isError) {
    return (
      <Card className="p-4 text-sm">
        <p role="alert" className="text-danger">
          Could not read the alerts: {q.error.message}
        </p>
      </Card>
    );
  }
  const groups = firingByCluster(q.data.alerts, cluster);
  if (groups.size === 0) {
    return (
      <Card className="flex items-center gap-2 p-4 text-sm text-ok" role="status">
        <CircleCheck aria-hidden className="size-4" />
        No alert fires{cluster ? ` in ${cluster}` : ""}.
      </Card>
    );
  }
  return (
    <Card className="divide-y divide-border" aria-label="Firing alerts">
      {[...groups].map(([name, alerts]) => (
        <div key={name} className="p-4">
          <div className="flex items-baseline justify-between gap-2">
            <h3 className="font-semibold">{name}</h3>
            <Link href={`/alerts?cluster=${encodeURIComponent(name)}`} className="text-sm text-accent hover:underline">
              {alerts.length} firing
            </Link>
          </div>
          <ul>
            {alerts.slice(0, PER_CLUSTER).map((a) => (
              <CompactRow key={a.id} alert={a} />
            ))}
          </ul>
          {alerts.length > PER_CLUSTER ? <p className="text-xs text-fg-muted">and {alerts.length - PER_CLUSTER} more</p> : null}
        </div>
      ))}
    </Card>
  );
}

/** The node page's alerts: this node's firing and pending ones. */
export function NodeAlerts({ node }: { node: string }) {
  const q = useQuery(alertsQueryOptions({ node }));
  return (
    <section aria-labelledby="node-alerts" className="space-y-2">
      <div className="flex items-baseline justify-between gap-2">
        <h2 id="node-alerts" className="text-base font-semibold">
          Alerts
        </h2>
        <Link href="/alerts" className="text-sm text-accent hover:underline">
          All alerts
        </Link>
      </div>
      {q.isPending ? (
        <Skeleton className="h-16" />
      ) : q.isError ? (
        <p role="alert" className="text-sm text-danger">
          Could not read the alerts: {q.error.message}
        </p>
      ) : q.data.alerts.length === 0 ? (
        <p role="status" className="flex items-center gap-2 text-sm text-fg-muted">
          <CircleCheck aria-hidden className="size-4 text-ok" />
          No alert on this node.
        </p>
      ) : (
        <Card aria-label="Alerts of this node">
          <ul className="divide-y divide-border">
            {q.data.alerts.map((a) => (
              <li key={a.id} className="flex flex-wrap items-center gap-2 px-4 py-2 text-sm">
                <SeverityBadge severity={a.severity} />
                <span className="font-medium">{ruleName(a.rule)}</span>
                {/* At least a phone's line: a narrow card wraps it under the rule, not into a sliver. */}
                <span className="min-w-[12rem] flex-1 text-fg-muted">{a.summary}</span>
                <AlertStateBadges alert={a} />
                <span className="text-xs text-fg-muted">
                  since <RelativeTime iso={a.startsAt ?? a.pendingSince} />
                </span>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </section>
  );
}
