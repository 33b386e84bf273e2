"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { BellOff, CheckCheck } from "lucide-react";
import Link from "next/link";

import { AlertStateBadges, SeverityBadge } from "@/components/alerts/alert-badges";
import { alertDuration, ruleName } from "@/components/alerts/words";
import { buttonVariants, Button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { ackAlert, alertKeys } from "@/lib/client/alerts";
import type { Alert } from "@/lib/schemas/alerts";

/** The node's page, named by hostname when known (a node id is `address@cluster`). */
export function NodeLink({ alert: a }: { alert: Pick<Alert, "node" | "hostname"> }) {
  if (!a.node) return <span className="text-fg-muted">—</span>;
  return (
    <Link href={`/nodes/${encodeURIComponent(a.node)}`} className="text-accent hover:underline">
      {a.hostname ?? a.node.split("@")[0]}
    </Link>
  );
}

/** Where a new silence for this alert's rule, cluster and node starts (the form is prefilled from the URL). */
export function silenceHref(a: Pick<Alert, "rule" | "cluster" | "node">): string {
  return `/alerts/silences?${new URLSearchParams({ rule: a.rule, cluster: a.cluster, ...(a.node ? { node: a.node } : {}) })}`;
}

/**
 * Where an alert holds, for a row button's name: the visible word ("Ack", "Silence") comes first so
 * the accessible name contains the visible label (WCAG 2.5.3, axe `label-content-name-mismatch`).
 */
function alertWhere(a: Pick<Alert, "hostname" | "node" | "cluster">): string {
  return a.hostname ?? a.node ?? a.cluster;
}

function AckButton({ alert: a }: { alert: Alert }) {
  const qc = useQueryClient();
  const ack = useMutation({
    mutationFn: () => ackAlert(a.id),
    onSettled: () => qc.invalidateQueries({ queryKey: alertKeys.lists() }),
  });
  return (
    <>
      <Button size="sm" disabled={ack.isPending} onClick={() => ack.mutate()} aria-label={`Ack ${ruleName(a.rule)} on ${alertWhere(a)}`}>
        <CheckCheck aria-hidden className="size-4" />
        Ack
      </Button>
      {ack.isError ? (
        <span role="alert" className="text-xs text-danger">
          {ack.error.message}
        </span>
      ) : null}
    </>
  );
}

interface AlertTableProps {
  alerts: Alert[];
  label: string;
  /** `history` shows when each ended and how long it lasted instead of since when it fires. */
  mode: "active" | "history";
  /** What the viewer's role lets them do (operators ack and silence). */
  can: { ack: boolean; silence: boolean };
  empty: string;
}

/** Alerts as rows: severity, rule and summary (linking where to look), cluster, node, time, state, actions. */
export function AlertTable({ alerts, label, mode, can, empty }: AlertTableProps) {
  const actions = mode === "active" && (can.ack || can.silence);
  return (
    <div className="overflow-x-auto rounded-lg border border-border bg-surface">
      <Table aria-label={label}>
        <TableHead>
          <TableRow>
            <TableHeaderCell>Severity</TableHeaderCell>
            <TableHeaderCell>Alert</TableHeaderCell>
            <TableHeaderCell>Cluster</TableHeaderCell>
            <TableHeaderCell>Node</TableHeaderCell>
            <TableHeaderCell>{mode === "active" ? "Since" : "Resolved"}</TableHeaderCell>
            {mode === "history" ? <TableHeaderCell>Lasted</TableHeaderCell> : null}
            <TableHeaderCell>State</TableHeaderCell>
            {actions ? (
              <TableHeaderCell>
                <span className="sr-only">Actions</span>
              </TableHeaderCell>
            ) : null}
          </TableRow>
        </TableHead>
        <TableBody>
          {alerts.length === 0 ? (
            <TableRow>
              <TableCell colSpan={8} className="text-center text-fg-muted">
                <div className="py-4">{empty}</div>
              </TableCell>
            </TableRow>
          ) : (
            alerts.map((a) => (
              <TableRow key={a.id} data-alert-key={a.key}>
                <TableCell>
                  <SeverityBadge severity={a.severity} />
                </TableCell>
                <TableCell className="max-w-md">
                  <div className="font-medium">{ruleName(a.rule)}</div>
                  <Link href={a.path} className="text-sm text-fg-muted hover:text-accent hover:underline">
                    {a.summary}
                  </Link>
                </TableCell>
                <TableCell>{a.cluster}</TableCell>
                <TableCell>
                  <NodeLink alert={a} />
                </TableCell>
                <TableCell className="whitespace-nowrap">
                  {mode === "active" ? <RelativeTime iso={a.startsAt ?? a.pendingSince} /> : a.endsAt ? <RelativeTime iso={a.endsAt} /> : "—"}
                </TableCell>
                {mode === "history" ? <TableCell className="whitespace-nowrap">{alertDuration(a) ?? "—"}</TableCell> : null}
                <TableCell>
                  <AlertStateBadges alert={a} />
                </TableCell>
                {actions ? (
                  <TableCell>
                    <div className="flex flex-wrap items-center justify-end gap-2">
                      {can.ack && a.status === "firing" && !a.acknowledgedBy ? <AckButton alert={a} /> : null}
                      {can.silence && !a.silencedBy ? (
                        <Link href={silenceHref(a)} className={buttonVariants({ size: "sm", variant: "ghost" })} aria-label={`Silence ${ruleName(a.rule)} on ${alertWhere(a)}`}>
                          <BellOff aria-hidden className="size-4" />
                          Silence
                        </Link>
                      ) : null}
                    </div>
                  </TableCell>
                ) : null}
              </TableRow>
            ))
          )}
        </TableBody>
      </Table>
    </div>
  );
}
