"use client";

import { useQuery } from "@tanstack/react-query";
import { RotateCw } from "lucide-react";
import Link from "next/link";

import { exactTime } from "@/components/config-push/format";
import { StatusBadge } from "@/components/config-push/status-badge";
import { QueryError } from "@/components/fleet/query-error";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { clusterDriftQueryOptions } from "@/lib/client/manifests";

import { DRIFT_STATE, type DriftState } from "./manifest-model";

const ORDER: DriftState[] = ["drifted", "unreachable", "missing", "not-in-manifest", "in-sync"];

/** The drift query's totals, for the page's summary line. */
export function driftCounts(nodes: { state: DriftState }[]): Record<DriftState, number> {
  const out = Object.fromEntries(ORDER.map((s) => [s, 0])) as Record<DriftState, number>;
  for (const n of nodes) out[n.state]++;
  return out;
}

/** Per node: in sync with the manifest's render, drifted (and where), unreachable, or not in the manifest. */
export function DriftView({ cluster }: { cluster: string }) {
  const drift = useQuery(clusterDriftQueryOptions(cluster));
  if (drift.isPending) return <Skeleton className="h-40" />;
  if (drift.isError) return <QueryError what="the cluster's drift" error={drift.error} retry={() => void drift.refetch()} />;
  const nodes = [...drift.data.nodes].sort((a, b) => ORDER.indexOf(a.state) - ORDER.indexOf(b.state) || a.hostname.localeCompare(b.hostname));
  const drifted = nodes.filter((n) => n.state === "drifted").length;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span className="text-fg-muted">
          Against revision #{drift.data.revision ?? "—"}, checked <span title={exactTime(drift.data.checkedAt)}>{new Date(drift.data.checkedAt).toLocaleTimeString()}</span>
        </span>
        <Button size="sm" onClick={() => void drift.refetch()} disabled={drift.isFetching}>
          <RotateCw aria-hidden className={`size-4 ${drift.isFetching ? "animate-spin" : ""}`} /> Check again
        </Button>
      </div>
      {drifted > 0 ? (
        <p role="status" className="rounded-md border border-warn/30 bg-warn/10 px-3 py-2 text-sm text-warn">
          {drifted} node{drifted === 1 ? " runs" : "s run"} something other than the manifest&apos;s render. To put the manifest back, plan and apply it; to keep
          the change, write it into the manifest (a patch for that node) and save.
        </p>
      ) : null}
      <div className="overflow-x-auto rounded-lg border border-border bg-surface">
        <Table aria-label={`Drift of ${cluster}`}>
          <TableHead>
            <TableRow>
              <TableHeaderCell>Node</TableHeaderCell>
              <TableHeaderCell>State</TableHeaderCell>
              <TableHeaderCell>What differs</TableHeaderCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {nodes.map((n) => (
              <TableRow key={n.node} data-node={n.hostname} className="align-top">
                <TableHeaderCell scope="row" plain className="px-4 py-2 font-normal">
                  <Link href={`/nodes/${encodeURIComponent(n.node)}`} className="font-mono hover:underline">
                    {n.hostname}
                  </Link>
                  <span className="block text-xs text-fg-muted">{n.node}</span>
                </TableHeaderCell>
                <TableCell>
                  <StatusBadge tone={DRIFT_STATE[n.state].tone} title={DRIFT_STATE[n.state].hint}>
                    {DRIFT_STATE[n.state].label}
                  </StatusBadge>
                </TableCell>
                <TableCell>
                  {n.paths.length > 0 ? (
                    <ul className="font-mono text-xs">
                      {n.paths.map((p) => (
                        <li key={p}>{p}</li>
                      ))}
                    </ul>
                  ) : null}
                  {n.message ? <p className="text-xs text-fg-muted">{n.message}</p> : null}
                  {n.paths.length === 0 && !n.message ? <span className="text-xs text-fg-muted">{DRIFT_STATE[n.state].hint}</span> : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </div>
  );
}
