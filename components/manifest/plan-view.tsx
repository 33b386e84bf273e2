"use client";

import { ArrowRight, LoaderCircle, Play } from "lucide-react";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";

import { ConfirmDialog } from "@/components/config-push/confirm-dialog";
import { UnifiedDiff } from "@/components/config-push/diff-view";
import { StatusBadge } from "@/components/config-push/status-badge";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import type { PlanResponse } from "@/lib/schemas/manifests";

import { applyBlocker, PLAN_CHANGE, planSummaryText } from "./manifest-model";

interface PlanViewProps {
  plan: PlanResponse;
  /** The editor's text differs from the planned one. */
  changedSince: boolean;
  canApply: boolean;
  applying: boolean;
  applyError: string | null;
  applied: { rolloutId: string | null; revision: number } | null;
  onApply: () => void;
}

const COUNTS = [
  { key: "update", label: "Update", tone: "info" },
  { key: "reboot", label: "Reboot", tone: "warn" },
  { key: "none", label: "No change", tone: "neutral" },
  { key: "refused", label: "Refused", tone: "danger" },
  { key: "unreachable", label: "Unreachable", tone: "warn" },
] as const;

/** The plan: totals, each node's verdict, its redacted diff and issues, and Apply (blocked with the reason). */
export function PlanView({ plan, changedSince, canApply, applying, applyError, applied, onApply }: PlanViewProps) {
  const [confirm, setConfirm] = useState(false);
  // A new plan answers the click on Plan, far above: bring it into view.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.scrollIntoView({ block: "start", behavior: "smooth" });
  }, [plan.planId]);
  // Once applied, the editor holds the saved revision: the plan is history, not stale.
  const blocker = applied ? null : applyBlocker(plan, changedSince);
  const changing = plan.nodes.filter((n) => n.change === "update");
  return (
    <section aria-labelledby="plan-heading" className="space-y-3 rounded-lg border border-border bg-surface p-4">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="plan-heading" ref={heading} className="scroll-mt-4 text-base font-semibold">
          Plan
        </h2>
        <p className="text-sm text-fg-muted" data-testid="plan-summary">
          {planSummaryText(plan)}
        </p>
        <ul aria-label="Plan counts" className="flex flex-wrap gap-2">
          {COUNTS.map((c) => (
            <li key={c.key}>
              <StatusBadge tone={plan.summary[c.key] > 0 ? c.tone : "neutral"}>
                {c.label}: <span data-testid={`plan-count-${c.key}`}>{plan.summary[c.key]}</span>
              </StatusBadge>
            </li>
          ))}
        </ul>
      </div>

      <div className="overflow-x-auto rounded-md border border-border">
        <Table aria-label="Plan per node">
          <TableHead>
            <TableRow>
              <TableHeaderCell>Node</TableHeaderCell>
              <TableHeaderCell>Role</TableHeaderCell>
              <TableHeaderCell>Change</TableHeaderCell>
              <TableHeaderCell>Reboot</TableHeaderCell>
              <TableHeaderCell>Details</TableHeaderCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {plan.nodes.map((n) => (
              <TableRow key={n.node} data-node={n.hostname} className="align-top">
                <TableCell>
                  <span className="font-mono">{n.hostname}</span>
                  <span className="block text-xs text-fg-muted">{n.node}</span>
                </TableCell>
                <TableCell>{n.role === "controlplane" ? "Control plane" : "Worker"}</TableCell>
                <TableCell>
                  <StatusBadge tone={PLAN_CHANGE[n.change].tone} title={PLAN_CHANGE[n.change].hint}>
                    {PLAN_CHANGE[n.change].label}
                  </StatusBadge>
                </TableCell>
                <TableCell>{n.change === "update" ? (n.reboot ? <StatusBadge tone="warn">Reboots</StatusBadge> : "No") : "—"}</TableCell>
                <TableCell className="max-w-xl">
                  {n.issues.length > 0 ? (
                    <ul className={`space-y-0.5 text-xs ${n.change === "refused" ? "text-danger" : "text-fg-muted"}`}>
                      {n.issues.map((i, k) => (
                        <li key={k}>{i}</li>
                      ))}
                    </ul>
                  ) : null}
                  {n.diff.trim() ? (
                    <details className="mt-1">
                      <summary className="cursor-pointer text-xs font-medium text-accent">Show the diff (secrets redacted)</summary>
                      <div className="mt-1 rounded border border-border">
                        <UnifiedDiff text={n.diff} label={`Planned diff of ${n.hostname}`} />
                      </div>
                    </details>
                  ) : n.change === "none" ? (
                    <span className="text-xs text-fg-muted">Already runs this config.</span>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>

      {canApply ? (
        <div className="flex flex-wrap items-center gap-3">
          <Button variant="primary" onClick={() => setConfirm(true)} disabled={blocker !== null || applying || applied !== null}>
            {applying ? <LoaderCircle aria-hidden className="size-4 animate-spin" /> : <Play aria-hidden className="size-4" />}
            Apply plan…
          </Button>
          {blocker ? (
            <p role="status" className="text-sm text-danger">
              {blocker}
            </p>
          ) : applied ? null : (
            <p className="text-sm text-fg-muted">Control planes one at a time, then workers; each node must be healthy before the next.</p>
          )}
        </div>
      ) : null}
      {applyError ? (
        <p role="alert" className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger">
          Could not apply: {applyError}
        </p>
      ) : null}
      {applied ? (
        <p role="status" className="flex flex-wrap items-center gap-2 rounded-md border border-ok/30 bg-ok/10 px-3 py-2 text-sm text-ok">
          Saved as revision #{applied.revision}.
          {applied.rolloutId ? (
            <Link href={`/config/rollouts/${encodeURIComponent(applied.rolloutId)}`} className="inline-flex items-center gap-1 font-medium underline">
              Follow the rollout <ArrowRight aria-hidden className="size-4" />
            </Link>
          ) : (
            <span>No node needed a change, so no rollout was started.</span>
          )}
        </p>
      ) : null}

      <ConfirmDialog
        open={confirm}
        title={`Apply this plan to ${changing.length} node${changing.length === 1 ? "" : "s"}?`}
        confirmLabel={`Apply to ${changing.length} node${changing.length === 1 ? "" : "s"}`}
        danger={plan.summary.reboot > 0}
        busy={applying}
        onCancel={() => setConfirm(false)}
        onConfirm={() => {
          setConfirm(false);
          onApply();
        }}
      >
        <p>{planSummaryText(plan)}.</p>
        {changing.length > 0 ? <p className="font-mono text-xs">{changing.map((n) => n.hostname).join(", ")}</p> : null}
        {plan.summary.reboot > 0 ? <p className="text-warn">{plan.summary.reboot} node(s) will reboot.</p> : null}
        <p className="text-fg-muted">The manifest is saved as a new revision. A plan is refused if any node changed since it was made.</p>
      </ConfirmDialog>
    </section>
  );
}
