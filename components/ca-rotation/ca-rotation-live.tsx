"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { Ban, CircleCheck, CircleSlash, CircleX, Clock, Download, Hourglass, LoaderCircle, Pause, Play, TriangleAlert, type LucideIcon } from "lucide-react";

import { useControlAccess } from "@/components/auth/use-availability";
import { PlanStateBadge } from "@/components/upgrades/state-badges";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { ApiError } from "@/lib/client/api";
import { caRotationKeys, caRotationQueryOptions, controlCaRotation, downloadNewTalosconfig } from "@/lib/client/ca-rotation";
import type { CaRotation, CaRotationAction, CaRotationStepState } from "@/lib/schemas/ca-rotation";

const stepLook: Record<CaRotationStepState, { tone: "ok" | "warn" | "danger" | "info" | "neutral"; icon: LucideIcon; label: string; spin?: boolean }> = {
  pending: { tone: "neutral", icon: Clock, label: "Pending" },
  running: { tone: "info", icon: LoaderCircle, label: "Running", spin: true },
  waiting: { tone: "info", icon: Hourglass, label: "Waiting" },
  done: { tone: "ok", icon: CircleCheck, label: "Done" },
  failed: { tone: "danger", icon: CircleX, label: "Failed" },
  skipped: { tone: "neutral", icon: CircleSlash, label: "Skipped" },
};

/** A step's state: icon and words, never colour alone. */
function StepBadge({ state }: { state: CaRotationStepState }) {
  const look = stepLook[state];
  const Icon = look.icon;
  return (
    <Badge tone={look.tone} className="whitespace-nowrap">
      <Icon aria-hidden className={look.spin ? "size-3 animate-spin motion-reduce:animate-none" : "size-3"} />
      {look.label}
    </Badge>
  );
}

const CONTROLS: { action: CaRotationAction; label: string; icon: LucideIcon; when: CaRotation["state"][] }[] = [
  { action: "pause", label: "Pause", icon: Pause, when: ["running"] },
  { action: "resume", label: "Resume", icon: Play, when: ["paused"] },
  { action: "cancel", label: "Cancel", icon: Ban, when: ["pending", "running", "paused"] },
];

/** One rotation: its state, each step with what it saw, the controls (admins) and, when it stopped, the way back. */
export function CaRotationLive({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const { data: r } = useSuspenseQuery(caRotationQueryOptions(id));
  const access = useControlAccess("applyConfig", r.cluster);
  const control = useMutation({
    mutationFn: (action: CaRotationAction) => controlCaRotation(id, action),
    onSuccess: (next) => {
      queryClient.setQueryData(caRotationKeys.one(id), next);
      void queryClient.invalidateQueries({ queryKey: caRotationKeys.list() });
    },
  });
  const download = useMutation({ mutationFn: () => downloadNewTalosconfig(id) });
  // Offered once a Talos swap began, whatever the end (the server checks the same).
  const swapStarted = r.steps.some((s) => s.api === "talos" && s.kind === "swap" && (s.startedAt !== null || s.state === "done" || s.state === "failed"));
  const talosDone = r.steps.some((s) => s.api === "talos" && s.kind === "verify-final" && s.state === "done");
  return (
    <div className="space-y-5">
      <Card className="space-y-4 p-5">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="space-y-1">
            <div className="flex flex-wrap items-center gap-2">
              <PlanStateBadge state={r.state} />
              <span className="text-sm text-fg-muted">
                {r.cluster}: {[r.talos ? "Talos API CA" : null, r.kubernetes ? "Kubernetes API CA" : null].filter(Boolean).join(" and ")} · {r.stepsDone}/{r.stepsTotal} steps done
              </span>
            </div>
            {r.newCas.talos ? <p className="break-all text-xs text-fg-muted">New Talos CA SHA-256 {r.newCas.talos.fingerprint}</p> : null}
            {r.newCas.kubernetes ? <p className="break-all text-xs text-fg-muted">New Kubernetes CA SHA-256 {r.newCas.kubernetes.fingerprint}</p> : null}
            {r.reason ? <p className="text-sm">{r.reason}</p> : null}
          </div>
          {access.hidden ? null : (
            <div className="flex flex-wrap gap-2">
              {CONTROLS.filter((c) => c.when.includes(r.state)).map((c) => (
                <Button key={c.action} variant={c.action === "cancel" ? "danger" : "secondary"} disabled={control.isPending || !access.allowed} title={access.allowed ? undefined : access.reason} onClick={() => control.mutate(c.action)}>
                  <c.icon aria-hidden className="size-4" />
                  {c.label}
                </Button>
              ))}
            </div>
          )}
        </div>
        {r.talos && swapStarted && !access.hidden ? (
          <div className="space-y-1 text-sm">
            <p>
              {talosDone
                ? "The old talosconfig no longer works on this cluster: talosctl users need one of the new CA."
                : "Nodes are moving to the new Talos CA: the old talosconfig does not open the nodes already moved. A talosconfig of the new CA trusts both CAs and works on every node."}
            </p>
            <Button disabled={download.isPending || !access.allowed} onClick={() => download.mutate()}>
              <Download aria-hidden className="size-4" />
              Download a talosconfig of the new CA
            </Button>
            {download.error ? (
              <p role="alert" className="text-danger">
                {download.error instanceof ApiError ? download.error.message : "The download failed."}
              </p>
            ) : null}
          </div>
        ) : null}
        {control.error ? (
          <p role="alert" className="text-sm text-danger">
            {control.error instanceof ApiError ? control.error.message : "The request failed."}
          </p>
        ) : null}
        {r.wayBack ? (
          <div role="note" className="flex gap-2 rounded-md border border-warn/30 bg-warn/10 px-3 py-2 text-sm">
            <TriangleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
            <span>
              <strong>The way back:</strong> {r.wayBack}
            </span>
          </div>
        ) : null}
      </Card>
      <Table pin={2}>
        <TableHead>
          <TableRow>
            <TableHeaderCell>#</TableHeaderCell>
            <TableHeaderCell>Step</TableHeaderCell>
            <TableHeaderCell>State</TableHeaderCell>
            <TableHeaderCell>What it saw</TableHeaderCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {r.steps.map((s) => (
            <TableRow key={s.index}>
              <TableCell className="tabular-nums">{s.index + 1}</TableCell>
              <TableCell>
                {/* A cell's own min-width is ignored by table layout: the block inside keeps the column readable on a phone. */}
                <div className="min-w-[12rem]">{s.description}</div>
              </TableCell>
              <TableCell>
                <StepBadge state={s.state} />
              </TableCell>
              <TableCell className="text-sm">
                <div className="min-w-[14rem] max-w-md break-words">{s.error ?? s.message ?? ""}</div>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
