"use client";

import { useMutation, useQuery, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { Ban, Pause, Play } from "lucide-react";
import Link from "next/link";

import { StatusBadge } from "@/components/config-push/status-badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { roleAtLeast } from "@/lib/auth/roles";
import { sessionQuery } from "@/lib/client/auth";
import { bulkKeys, bulkRunQueryOptions, controlBulkRun, isLiveRun } from "@/lib/client/bulk";
import { useEventStream } from "@/lib/client/use-event-stream";
import type { BulkRunActionName } from "@/lib/schemas/bulk";

import { NODE_STATE, progressText, RUN_STATE } from "./bulk-model";

const ROLE: Record<"controlplane" | "worker", string> = { controlplane: "Control plane", worker: "Worker" };

/** One bulk run, live: its state, its controls (operators), and a row per node in the order they go. */
export function BulkRunView({ id }: { id: string }) {
  useEventStream();
  const { data: run } = useSuspenseQuery(bulkRunQueryOptions(id));
  const session = useQuery(sessionQuery());
  const queryClient = useQueryClient();
  const control = useMutation({
    mutationFn: (action: BulkRunActionName) => controlBulkRun(id, action),
    onSuccess: (next) => {
      queryClient.setQueryData(bulkKeys.run(id), next);
      void queryClient.invalidateQueries({ queryKey: bulkKeys.list() });
    },
  });
  const role = session.data?.user?.role;
  const canSteer = role !== undefined && roleAtLeast(role, "operator");
  const state = RUN_STATE[run.state];
  const busy = control.isPending;
  return (
    <div className="space-y-5">
      <Card className="space-y-3 p-5">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="space-y-1">
            <div className="flex flex-wrap items-center gap-2">
              <StatusBadge tone={state.tone}>{state.label}</StatusBadge>
              <span role="status" aria-live="polite" className="text-sm text-fg-muted">
                {progressText(run)}
              </span>
            </div>
            <p className="text-sm">
              Selection: <span className="font-mono text-xs">{run.selection}</span> · {run.concurrency} worker{run.concurrency === 1 ? "" : "s"} at a time, control planes one at a time ·{" "}
              {run.continueOnFailure ? "goes on after a failure" : "stops at the first failure"}
            </p>
            <p className="text-xs text-fg-muted">
              Started by {run.author} <RelativeTime iso={run.createdAt} />
            </p>
          </div>
          {canSteer && isLiveRun(run) ? (
            <div className="flex flex-wrap gap-2">
              {run.state === "running" ? (
                <Button onClick={() => control.mutate("pause")} disabled={busy}>
                  <Pause aria-hidden className="size-4" />
                  Pause
                </Button>
              ) : (
                <Button onClick={() => control.mutate("resume")} disabled={busy}>
                  <Play aria-hidden className="size-4" />
                  Resume
                </Button>
              )}
              <Button variant="danger" onClick={() => control.mutate("cancel")} disabled={busy}>
                <Ban aria-hidden className="size-4" />
                Cancel
              </Button>
            </div>
          ) : null}
          {canSteer && run.state === "failed" ? (
            <div className="flex flex-wrap gap-2">
              <Button onClick={() => control.mutate("resume")} disabled={busy}>
                <Play aria-hidden className="size-4" />
                Resume past the failure
              </Button>
              <Button variant="danger" onClick={() => control.mutate("cancel")} disabled={busy}>
                <Ban aria-hidden className="size-4" />
                Cancel the rest
              </Button>
            </div>
          ) : null}
        </div>
        {run.message ? (
          <p role={run.state === "failed" ? "alert" : "status"} className="rounded-md border border-border bg-surface-muted px-3 py-2 text-sm">
            {run.message}
          </p>
        ) : null}
        {control.isError ? (
          <p role="alert" className="text-sm text-danger">
            {control.error.message}
          </p>
        ) : null}
      </Card>
      <Table aria-label="Nodes of the bulk run">
        <TableHead>
          <TableRow>
            <TableHeaderCell>Node</TableHeaderCell>
            <TableHeaderCell>Role</TableHeaderCell>
            <TableHeaderCell>State</TableHeaderCell>
            <TableHeaderCell>What happened</TableHeaderCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {run.nodes.map((n) => {
            const s = NODE_STATE[n.state];
            return (
              <TableRow key={n.id} data-node-id={n.id}>
                <TableCell>
                  <Link href={`/nodes/${encodeURIComponent(n.id)}`} prefetch={false} className="font-medium text-accent hover:underline">
                    {n.hostname ?? n.id}
                  </Link>
                </TableCell>
                <TableCell>{ROLE[n.role]}</TableCell>
                <TableCell>
                  <StatusBadge tone={s.tone}>{s.label}</StatusBadge>
                </TableCell>
                <TableCell className="text-xs">{n.message || <span className="text-fg-muted">–</span>}</TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}
