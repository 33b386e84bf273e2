"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { Ban, CircleCheck, CircleSlash, CircleX, Clock, Hourglass, LoaderCircle, Pause, Play, TriangleAlert, type LucideIcon } from "lucide-react";

import { useControlAccess } from "@/components/auth/use-availability";
import { PlanStateBadge } from "@/components/upgrades/state-badges";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { ApiError } from "@/lib/client/api";
import { controlKubernetesUpgrade, kubernetesUpgradeKeys, kubernetesUpgradeQueryOptions } from "@/lib/client/kubernetes-upgrades";
import { useEventStream } from "@/lib/client/use-event-stream";
import type { KubernetesUpgradeAction, KubernetesUpgradePlan, KubernetesUpgradeStepState } from "@/lib/schemas/kubernetes-upgrades";
import { formatDuration } from "@/lib/upgrades/progress";
import { cn } from "@/lib/utils/cn";

const stepLook: Record<KubernetesUpgradeStepState, { tone: "ok" | "warn" | "danger" | "info" | "neutral"; icon: LucideIcon; label: string; spin?: boolean }> = {
  pending: { tone: "neutral", icon: Clock, label: "Pending" },
  running: { tone: "info", icon: LoaderCircle, label: "Applying", spin: true },
  waiting: { tone: "info", icon: Hourglass, label: "Waiting" },
  done: { tone: "ok", icon: CircleCheck, label: "Done" },
  failed: { tone: "danger", icon: CircleX, label: "Failed" },
  skipped: { tone: "neutral", icon: CircleSlash, label: "Skipped" },
};

/** A step's state: icon and words, never colour alone. */
function StepBadge({ state }: { state: KubernetesUpgradeStepState }) {
  const look = stepLook[state];
  const Icon = look.icon;
  return (
    <Badge tone={look.tone} className="whitespace-nowrap">
      <Icon aria-hidden className={look.spin ? "size-3 animate-spin motion-reduce:animate-none" : "size-3"} />
      {look.label}
    </Badge>
  );
}

const barTone: Record<KubernetesUpgradePlan["state"], string> = {
  pending: "bg-info",
  running: "bg-info",
  paused: "bg-warn",
  cancelling: "bg-warn",
  cancelled: "bg-fg-muted",
  failed: "bg-danger",
  succeeded: "bg-ok",
};

function Progress({ plan }: { plan: KubernetesUpgradePlan }) {
  const p = plan.progress;
  const live = plan.state === "running" || plan.state === "pending" || plan.state === "cancelling";
  const eta = !live ? null : p.etaSeconds === null ? "estimating time left after the first step" : `about ${formatDuration(p.etaSeconds)} left`;
  const pct = Math.round(p.percent);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span>
          <strong className="text-lg tabular-nums">{pct}%</strong>{" "}
          <span className="text-fg-muted">
            {p.done} of {p.total} steps done{p.failed > 0 ? `, ${p.failed} failed` : ""}
            {p.skipped > 0 ? `, ${p.skipped} skipped` : ""}
          </span>
        </span>
        {eta ? <span className="text-fg-muted">{eta}</span> : null}
      </div>
      <div role="progressbar" aria-label="Kubernetes upgrade progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-valuetext={`${pct}%: ${p.done} of ${p.total} steps done`} className="h-3 w-full overflow-hidden rounded-full bg-surface-muted">
        <div className={cn("h-full transition-[width] duration-500", barTone[plan.state])} style={{ width: `${p.percent}%` }} />
      </div>
    </div>
  );
}

function Outcome({ plan }: { plan: KubernetesUpgradePlan }) {
  if (plan.state === "succeeded") {
    return (
      <p role="status" className="flex items-center gap-2 rounded-md border border-ok/30 bg-ok/10 px-3 py-2 text-sm text-ok">
        <CircleCheck aria-hidden className="size-4 shrink-0" />
        The cluster runs Kubernetes {plan.toVersion}{plan.manifestRevision !== null ? `; its manifest is at revision ${plan.manifestRevision} with the new version` : ""}.
      </p>
    );
  }
  if (!plan.reason) return null;
  const look =
    plan.state === "failed"
      ? { icon: CircleX, className: "border-danger/30 bg-danger/10 text-danger", title: "The upgrade stopped." }
      : plan.state === "paused"
        ? { icon: Pause, className: "border-warn/30 bg-warn/10 text-warn", title: "Paused: no step starts until you resume." }
        : { icon: TriangleAlert, className: "border-border bg-surface-muted text-fg", title: "Cancelled: what was upgraded stays upgraded." };
  const Icon = look.icon;
  return (
    <div role={plan.state === "failed" ? "alert" : "status"} className={`flex items-start gap-2 rounded-md border px-3 py-2 text-sm ${look.className}`}>
      <Icon aria-hidden className="mt-0.5 size-4 shrink-0" />
      <span>
        <strong>{look.title}</strong> {plan.reason}
      </span>
    </div>
  );
}

/** The live view of one Kubernetes upgrade: state, controls, the bar and a row per step with its last message. */
export function KubeUpgradeLive({ id }: { id: string }) {
  useEventStream();
  const { data: plan } = useSuspenseQuery(kubernetesUpgradeQueryOptions(id));
  const queryClient = useQueryClient();
  const control = useMutation({
    mutationFn: (action: KubernetesUpgradeAction) => controlKubernetesUpgrade(id, action),
    onSuccess: (next) => {
      queryClient.setQueryData(kubernetesUpgradeKeys.plan(id), next);
      void queryClient.invalidateQueries({ queryKey: kubernetesUpgradeKeys.list() });
    },
  });
  const busy = control.isPending;
  const pause = useControlAccess("pauseUpgrade");
  const resume = useControlAccess("resumeUpgrade");
  const cancel = useControlAccess("cancelUpgrade");
  return (
    <div className="space-y-5">
      <Card className="space-y-4 p-5">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="space-y-1">
            <div className="flex flex-wrap items-center gap-2">
              <PlanStateBadge state={plan.state} />
              <span className="text-sm text-fg-muted">
                {plan.cluster}: <span className="font-mono">{plan.fromVersion ?? "?"}</span> → <span className="font-mono">{plan.toVersion}</span>
              </span>
            </div>
            <p className="text-xs text-fg-muted">
              {plan.options.prePullImages ? "images pre-pulled" : "no pre-pull"} · {plan.options.upgradeKubelet ? "kubelets upgraded" : "kubelets left"} · {plan.options.stepTimeoutSeconds} s per component · started by {plan.actor}
            </p>
          </div>
          <div className="flex gap-2">
            {plan.state === "running" && !pause.hidden ? (
              <Button onClick={() => control.mutate("pause")} disabled={busy}>
                <Pause aria-hidden className="size-4" />
                Pause
              </Button>
            ) : null}
            {plan.state === "paused" && !resume.hidden ? (
              <Button variant="primary" onClick={() => control.mutate("resume")} disabled={busy}>
                <Play aria-hidden className="size-4" />
                Resume
              </Button>
            ) : null}
            {(plan.state === "running" || plan.state === "paused" || plan.state === "pending") && !cancel.hidden ? (
              <Button variant="danger" onClick={() => control.mutate("cancel")} disabled={busy}>
                <Ban aria-hidden className="size-4" />
                Cancel
              </Button>
            ) : null}
          </div>
        </div>
        {control.error ? (
          <p role="alert" className="text-sm text-danger">
            {control.error instanceof ApiError ? control.error.message : "The request failed."}
          </p>
        ) : null}
        <Progress plan={plan} />
        <Outcome plan={plan} />
      </Card>
      <Card className="overflow-x-auto">
        <Table aria-label="Steps" pin={2}>
          <TableHead>
            <tr>
              <TableHeaderCell>#</TableHeaderCell>
              <TableHeaderCell>Step</TableHeaderCell>
              <TableHeaderCell>Node</TableHeaderCell>
              <TableHeaderCell>State</TableHeaderCell>
              <TableHeaderCell>Last message</TableHeaderCell>
            </tr>
          </TableHead>
          <TableBody>
            {plan.steps.map((s) => (
              <TableRow key={s.index}>
                <TableCell className="tabular-nums">{s.index + 1}</TableCell>
                <TableCell className="whitespace-nowrap">{s.kind}</TableCell>
                <TableCell>{s.hostname ?? s.address ?? "cluster"}</TableCell>
                <TableCell>
                  <StepBadge state={s.state} />
                </TableCell>
                <TableCell className={cn("max-w-xl text-xs", s.state === "failed" ? "text-danger" : "text-fg-muted")}>{s.error ?? s.messages.at(-1)?.text ?? ""}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>
    </div>
  );
}
