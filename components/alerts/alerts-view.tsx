"use client";

import { useQuery } from "@tanstack/react-query";
import { SlidersHorizontal } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";

import { AlertTable } from "@/components/alerts/alert-table";
import { alertsPageQueries, parseAlertFilters, RULE_CHOICES, SEVERITIES, SEVERITY_LABEL, type AlertPageState } from "@/components/alerts/model";
import { useAlertPermissions } from "@/components/alerts/use-alert-permissions";
import { QueryError } from "@/components/fleet/query-error";
import { Skeleton } from "@/components/ui/skeleton";
import { alertsQueryOptions } from "@/lib/client/alerts";
import { useEventStream } from "@/lib/client/use-event-stream";
import type { AlertCounts } from "@/lib/schemas/alerts";

const selectClass = "h-8 rounded-md border border-border bg-surface px-2 text-sm text-fg";

const STATE_LABEL: Record<AlertPageState, string> = {
  active: "Active (firing and pending)",
  firing: "Firing",
  pending: "Pending",
  history: "Resolved only",
};

function Filters({ filter, set }: { filter: ReturnType<typeof parseAlertFilters>; set: (name: string, value: string | null) => void }) {
  return (
    <div role="search" aria-label="Filter alerts" className="flex flex-wrap items-center gap-3 text-sm">
      <SlidersHorizontal aria-hidden className="size-4 text-fg-muted" />
      <label className="flex items-center gap-2">
        <span className="text-fg-muted">State</span>
        <select className={selectClass} value={filter.state} onChange={(e) => set("state", e.target.value === "active" ? null : e.target.value)}>
          {Object.entries(STATE_LABEL).map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      </label>
      <label className="flex items-center gap-2">
        <span className="text-fg-muted">Severity</span>
        <select className={selectClass} value={filter.severity ?? ""} onChange={(e) => set("severity", e.target.value || null)}>
          <option value="">All</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {SEVERITY_LABEL[s]}
            </option>
          ))}
        </select>
      </label>
      <label className="flex items-center gap-2">
        <span className="text-fg-muted">Rule</span>
        <select className={selectClass} value={filter.rule ?? ""} onChange={(e) => set("rule", e.target.value || null)}>
          <option value="">All</option>
          {RULE_CHOICES.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </label>
      {filter.cluster ? <span className="text-fg-muted">Cluster {filter.cluster} (from the header)</span> : null}
    </div>
  );
}

function CountsLine({ counts }: { counts: AlertCounts }) {
  return (
    <p role="status" aria-label="Alert counts" className="text-sm text-fg-muted">
      <strong className="text-fg">{counts.firing}</strong> firing ({counts.critical} critical, {counts.warning} warning, {counts.info} info) · {counts.pending} pending · {counts.silenced} silenced ·{" "}
      {counts.acknowledged} acknowledged
    </p>
  );
}

/** The alerts page: what fires now and what resolved, filtered by the URL. */
export function AlertsView() {
  useEventStream();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filter = parseAlertFilters(params);
  const queries = alertsPageQueries(filter);
  const active = useQuery({ ...(queries.active ?? alertsQueryOptions()), enabled: queries.active !== null });
  const history = useQuery(queries.history);
  const can = useAlertPermissions();

  const set = (name: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value === null) next.delete(name);
    else next.set(name, value);
    const qs = next.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };

  return (
    <div className="space-y-6">
      <Filters filter={filter} set={set} />
      {queries.active ? (
        <section aria-labelledby="alerts-now" className="space-y-3">
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <h2 id="alerts-now" className="text-base font-semibold">
              Firing now
            </h2>
            {active.data ? <CountsLine counts={active.data.counts} /> : null}
          </div>
          {active.isPending ? (
            <Skeleton className="h-32" />
          ) : active.isError ? (
            <QueryError what="the alerts" error={active.error} retry={() => void active.refetch()} />
          ) : (
            <AlertTable alerts={active.data.alerts} label="Active alerts" mode="active" can={can} empty="Nothing fires: every rule's condition is clear (or still within its duration)." />
          )}
        </section>
      ) : null}
      <section aria-labelledby="alerts-history" className="space-y-3">
        <h2 id="alerts-history" className="text-base font-semibold">
          History
        </h2>
        {history.isPending ? (
          <Skeleton className="h-32" />
        ) : history.isError ? (
          <QueryError what="the alert history" error={history.error} retry={() => void history.refetch()} />
        ) : (
          <AlertTable alerts={history.data.alerts} label="Resolved alerts" mode="history" can={can} empty="No alert has resolved yet." />
        )}
      </section>
    </div>
  );
}
