"use client";

import { useQuery } from "@tanstack/react-query";
import { CircleCheck, SlidersHorizontal, XCircle } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";

import { parseDeliveryFilters, ruleName, SEVERITY_LABEL } from "@/components/alerts/model";
import { QueryError } from "@/components/fleet/query-error";
import { Badge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { channelsQueryOptions, deliveriesQueryOptions } from "@/lib/client/alerts";
import type { Delivery } from "@/lib/schemas/alerts";

const selectClass = "h-8 rounded-md border border-border bg-surface px-2 text-sm text-fg";
const KIND_LABEL = { firing: "Firing", resolved: "Resolved", test: "Test" } as const;

/** Every attempt, newest first: to which channel, what, whether it worked, the answer's code and the (redacted) error. */
export function DeliveryTable({ deliveries }: { deliveries: Delivery[] }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-border bg-surface">
      <Table aria-label="Deliveries">
        <TableHead>
          <TableRow>
            <TableHeaderCell>When</TableHeaderCell>
            <TableHeaderCell>Channel</TableHeaderCell>
            <TableHeaderCell>What</TableHeaderCell>
            <TableHeaderCell>Result</TableHeaderCell>
            <TableHeaderCell>Code</TableHeaderCell>
            <TableHeaderCell>Attempt</TableHeaderCell>
            <TableHeaderCell>Error</TableHeaderCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {deliveries.length === 0 ? (
            <TableRow>
              <TableCell colSpan={7} className="text-center text-fg-muted">
                <div className="py-4">Nothing was sent yet.</div>
              </TableCell>
            </TableRow>
          ) : (
            deliveries.map((d) => (
              <TableRow key={d.id}>
                <TableCell className="whitespace-nowrap">
                  <RelativeTime iso={d.at} />
                </TableCell>
                <TableCell>{d.channelName}</TableCell>
                <TableCell>
                  <span className="font-medium">{KIND_LABEL[d.kind]}</span>
                  {d.rule && d.kind !== "test" ? ` · ${ruleName(d.rule)}` : ""}
                  {d.severity && d.kind !== "test" ? ` · ${SEVERITY_LABEL[d.severity]}` : ""}
                  {d.cluster ? ` · ${d.cluster}` : ""}
                </TableCell>
                <TableCell>
                  {d.ok ? (
                    <Badge tone="ok">
                      <CircleCheck aria-hidden className="size-3" />
                      Delivered
                    </Badge>
                  ) : (
                    <Badge tone="danger">
                      <XCircle aria-hidden className="size-3" />
                      Failed
                    </Badge>
                  )}
                </TableCell>
                <TableCell className="font-mono">{d.statusCode ?? "—"}</TableCell>
                <TableCell className="whitespace-nowrap">
                  #{d.attempt} · {d.durationMs} ms
                  {d.nextAttemptAt ? (
                    <div className="text-xs text-fg-muted">
                      retry <RelativeTime iso={d.nextAttemptAt} />
                    </div>
                  ) : null}
                </TableCell>
                <TableCell className="text-danger">
                  <div className="min-w-[12rem] max-w-sm break-words">{d.error ?? ""}</div>
                </TableCell>
              </TableRow>
            ))
          )}
        </TableBody>
      </Table>
    </div>
  );
}

export function DeliveryLog() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filter = parseDeliveryFilters(params);
  const q = useQuery(deliveriesQueryOptions(filter));
  const channels = useQuery(channelsQueryOptions());
  const set = (name: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value === null) next.delete(name);
    else next.set(name, value);
    const qs = next.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };
  return (
    <div className="space-y-4">
      <div role="search" aria-label="Filter deliveries" className="flex flex-wrap items-center gap-3 text-sm">
        <SlidersHorizontal aria-hidden className="size-4 text-fg-muted" />
        <label className="flex items-center gap-2">
          <span className="text-fg-muted">Channel</span>
          <select className={selectClass} value={filter.channel ?? ""} onChange={(e) => set("channel", e.target.value || null)}>
            <option value="">All</option>
            {(channels.data?.channels ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
            {filter.channel && !channels.data?.channels.some((c) => c.id === filter.channel) ? <option value={filter.channel}>{filter.channel}</option> : null}
          </select>
        </label>
        <label className="flex items-center gap-2">
          <span className="text-fg-muted">Result</span>
          <select className={selectClass} value={filter.ok ?? ""} onChange={(e) => set("ok", e.target.value || null)}>
            <option value="">All</option>
            <option value="true">Delivered</option>
            <option value="false">Failed</option>
          </select>
        </label>
      </div>
      {q.isPending ? <Skeleton className="h-32" /> : q.isError ? <QueryError what="the delivery log" error={q.error} retry={() => void q.refetch()} /> : <DeliveryTable deliveries={q.data.deliveries} />}
    </div>
  );
}
