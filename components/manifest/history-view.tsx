"use client";

import type { z } from "zod";
import { useQuery } from "@tanstack/react-query";
import { History, RotateCcw } from "lucide-react";
import { useState } from "react";

import { UnifiedDiff } from "@/components/config-push/diff-view";
import { exactTime } from "@/components/config-push/format";
import { QueryError } from "@/components/fleet/query-error";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { apiFetch } from "@/lib/client/api";
import { clusterPath, manifestRevisionQueryOptions, manifestRevisionsQueryOptions } from "@/lib/client/manifests";
import type { manifestRevisionDetailSchema } from "@/lib/schemas/manifests";
import { useNow } from "@/lib/client/use-now";
import { formatAgo } from "@/lib/utils/time";

import { REVISION_SOURCE } from "./manifest-model";

/**
 * Every saved manifest, newest first; the diff between any two (the latest two by default); and
 * Restore, which loads an old revision's text into the editor, to be planned and applied.
 */
export function HistoryView({ cluster, canRestore, onRestore }: { cluster: string; canRestore: boolean; onRestore: (yaml: string, revision: number) => void }) {
  const revisions = useQuery(manifestRevisionsQueryOptions(cluster));
  const now = useNow({ every: 30_000 });
  const list = revisions.data?.revisions ?? [];
  const [pick, setPick] = useState<{ from: number | null; to: number | null }>({ from: null, to: null });
  const to = pick.to ?? list[0]?.revision ?? null;
  const from = pick.from ?? list.find((r) => to !== null && r.revision < to)?.revision ?? null;
  const diff = useQuery({ ...manifestRevisionQueryOptions(cluster, to ?? 0, from), enabled: to !== null && from !== null && from !== to });
  const [restoring, setRestoring] = useState<number | null>(null);
  const [restoreError, setRestoreError] = useState<string | null>(null);

  async function restore(revision: number) {
    setRestoring(revision);
    setRestoreError(null);
    try {
      const detail = await apiFetch<z.output<typeof manifestRevisionDetailSchema>>(`${clusterPath(cluster)}/manifest/revisions/${revision}`);
      onRestore(detail.yaml, revision);
    } catch (e) {
      setRestoreError(e instanceof Error ? e.message : String(e));
    } finally {
      setRestoring(null);
    }
  }

  if (revisions.isPending) return <Skeleton className="h-40" />;
  if (revisions.isError) return <QueryError what="the manifest's revisions" error={revisions.error} retry={() => void revisions.refetch()} />;
  if (list.length === 0) return <EmptyState icon={History} title="No revisions yet" />;
  return (
    <div className="space-y-4">
      <div className="overflow-x-auto rounded-lg border border-border bg-surface">
        <Table aria-label={`Revisions of ${cluster}'s manifest`}>
          <TableHead>
            <TableRow>
              <TableHeaderCell>Revision</TableHeaderCell>
              <TableHeaderCell>Source</TableHeaderCell>
              <TableHeaderCell>Author</TableHeaderCell>
              <TableHeaderCell>When</TableHeaderCell>
              <TableHeaderCell>Compare</TableHeaderCell>
              {canRestore ? <TableHeaderCell>Restore</TableHeaderCell> : null}
            </TableRow>
          </TableHead>
          <TableBody>
            {list.map((r) => (
              <TableRow key={r.id}>
                <TableHeaderCell scope="row" plain className="px-4 py-2 font-mono font-medium">
                  #{r.revision}
                  {r.revision === list[0]!.revision ? <span className="ml-2 font-sans text-xs text-fg-muted">latest</span> : null}
                </TableHeaderCell>
                <TableCell>
                  {REVISION_SOURCE[r.source]}
                  {r.message && r.message !== REVISION_SOURCE[r.source] ? <span className="block text-xs text-fg-muted">{r.message}</span> : null}
                </TableCell>
                <TableCell>{r.author}</TableCell>
                <TableCell title={exactTime(r.createdAt)}>{now === null ? exactTime(r.createdAt) : formatAgo(r.createdAt, now)}</TableCell>
                <TableCell>
                  <span className="flex gap-3 text-xs">
                    <label className="flex items-center gap-1">
                      <input type="radio" name="from" checked={from === r.revision} onChange={() => setPick({ from: r.revision, to })} aria-label={`Compare from revision ${r.revision}`} />
                      from
                    </label>
                    <label className="flex items-center gap-1">
                      <input type="radio" name="to" checked={to === r.revision} onChange={() => setPick({ from, to: r.revision })} aria-label={`Compare to revision ${r.revision}`} />
                      to
                    </label>
                  </span>
                </TableCell>
                {canRestore ? (
                  <TableCell>
                    <Button size="sm" variant="ghost" onClick={() => void restore(r.revision)} disabled={restoring !== null} aria-label={`Load revision ${r.revision} into the editor`}>
                      <RotateCcw aria-hidden className="size-4" /> Load into editor
                    </Button>
                  </TableCell>
                ) : null}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      {restoreError ? (
        <p role="alert" className="text-sm text-danger">
          Could not load the revision: {restoreError}
        </p>
      ) : null}
      <section aria-labelledby="compare-heading" className="rounded-lg border border-border bg-surface">
        <h3 id="compare-heading" className="border-b border-border px-3 py-2 text-sm font-semibold">
          {from !== null && to !== null && from !== to ? `Compare revision #${from} with revision #${to}` : "Pick two different revisions to compare"}
        </h3>
        {from === null || to === null || from === to ? null : diff.isPending ? (
          <Skeleton className="m-3 h-24" />
        ) : diff.isError ? (
          <p role="alert" className="p-3 text-sm text-danger">
            {diff.error.message}
          </p>
        ) : (
          <UnifiedDiff text={diff.data.diff ?? ""} label={`Manifest diff #${from} → #${to}`} />
        )}
      </section>
    </div>
  );
}
