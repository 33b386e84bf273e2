"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import { Layers } from "lucide-react";
import Link from "next/link";

import { StatusBadge } from "@/components/config-push/status-badge";
import { EmptyState } from "@/components/ui/empty-state";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { bulkListQueryOptions } from "@/lib/client/bulk";
import { useEventStream } from "@/lib/client/use-event-stream";

import { ACTION_LABEL, RUN_STATE } from "./bulk-model";

/** Bulk runs, newest first, each linking to its progress. */
export function BulkHistory() {
  useEventStream();
  const { data } = useSuspenseQuery(bulkListQueryOptions());
  if (data.runs.length === 0) {
    return (
      <EmptyState icon={Layers} title="No bulk action yet">
        Select nodes in the Nodes table, then choose an action in the bar that appears.
      </EmptyState>
    );
  }
  return (
    <Table aria-label="Bulk actions">
      <TableHead>
        <TableRow>
          <TableHeaderCell>Action</TableHeaderCell>
          <TableHeaderCell>Cluster</TableHeaderCell>
          <TableHeaderCell>Selection</TableHeaderCell>
          <TableHeaderCell>State</TableHeaderCell>
          <TableHeaderCell>By</TableHeaderCell>
          <TableHeaderCell>Started</TableHeaderCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {data.runs.map((r) => (
          <TableRow key={r.id}>
            <TableCell>
              <Link href={`/bulk/${encodeURIComponent(r.id)}`} className="font-medium text-accent hover:underline">
                {ACTION_LABEL[r.action]}
                {r.params.service ? ` ${r.params.service}` : ""}
              </Link>
            </TableCell>
            <TableCell>{r.cluster}</TableCell>
            <TableCell className="font-mono text-xs">{r.selection}</TableCell>
            <TableCell>
              <StatusBadge tone={RUN_STATE[r.state].tone}>{RUN_STATE[r.state].label}</StatusBadge>
            </TableCell>
            <TableCell className="text-xs">{r.author}</TableCell>
            <TableCell className="text-xs">
              <RelativeTime iso={r.createdAt} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
