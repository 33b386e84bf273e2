"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { Ban, CircleCheck, CircleX, Hand, Pause, Play, TriangleAlert } from "lucide-react";

import { useControlAccess } from "@/components/auth/use-availability";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ApiError } from "@/lib/client/api";
import { answerUpgradeDrain, controlUpgrade, isLivePlan, upgradeKeys, upgradePlanQueryOptions } from "@/lib/client/upgrades";
import type { DrainAction } from "@/lib/schemas/drain";
import { useEventStream } from "@/lib/client/use-event-stream";
import { useNow } from "@/lib/client/use-now";
import type { UpgradeAction, UpgradePlan } from "@/lib/schemas/upgrades";

import { PlanStateBadge } from "./state-badges";
import { UpgradeNodeTable } from "./node-table";
import { UpgradeProgress } from "./upgrade-progress";

function Outcome({ plan }: { plan: UpgradePlan }) {
  if (plan.state === "succeeded") {
    return (
      <p role="status" className="flex items-center gap-2 rounded-md border border-ok/30 bg-ok/10 px-3 py-2 text-sm text-ok">
        <CircleCheck aria-hidden className="size-4 shrink-0" />
        Every node runs {plan.targetVersion} and passed its health check.
      </p>
    );
  }
  if (!plan.reason) return null;
  const look =
    plan.state === "failed"
      ? { icon: CircleX, className: "border-danger/30 bg-danger/10 text-danger", title: "The upgrade stopped." }
      : plan.state === "paused"
        ? { icon: Pause, className: "border-warn/30 bg-warn/10 text-warn", title: "Paused: no node starts until you resume." }
        : plan.state === "running"
          ? { icon: Hand, className: "border-warn/30 bg-warn/10 text-warn", title: "Waiting for a person: retry, force or skip the drain below." }
          : { icon: TriangleAlert, className: "border-border bg-surface-muted text-fg", title: "Cancelled: nodes already upgraded stay upgraded." };
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

/** The live view of one plan: state, controls, the overall bar and a row per node. */
export function UpgradeLive({ id }: { id: string }) {
  useEventStream();
  const { data: plan } = useSuspenseQuery(upgradePlanQueryOptions(id));
  const queryClient = useQueryClient();
  const live = isLivePlan(plan);
  const now = useNow({ every: 1_000, live });
  const control = useMutation({
    mutationFn: (action: UpgradeAction) => controlUpgrade(id, action),
    onSuccess: (next) => {
      queryClient.setQueryData(upgradeKeys.plan(id), next);
      void queryClient.invalidateQueries({ queryKey: upgradeKeys.list() });
    },
  });
  const answer = useMutation({
    mutationFn: ({ node, action }: { node: string; action: DrainAction }) => answerUpgradeDrain(id, node, action),
    onSuccess: (next) => queryClient.setQueryData(upgradeKeys.plan(id), next),
  });
  const busy = control.isPending;

  // Pausing and resuming are an operator's; cancelling an admin's. Nobody sees a button they cannot use.
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
                {plan.cluster} → <span className="font-mono">{plan.targetVersion}</span>
              </span>
            </div>
            <p className="font-mono text-xs break-all text-fg-muted">{plan.image}</p>
            <p className="text-xs text-fg-muted">
              {plan.strategy.maxParallelWorkers === 1 ? "One node at a time" : `Control planes one at a time, then ${plan.strategy.maxParallelWorkers} workers at once`} · health
              timeout {plan.strategy.healthTimeoutSeconds} s · {plan.strategy.stopOnFailure ? "stops at the first failure" : "continues past worker failures"}
              {plan.strategy.force ? " · forced" : ""} ·{" "}
              {plan.strategy.drain.enabled ? `drains each node (${plan.strategy.drain.timeoutSeconds} s, then ${plan.strategy.drain.onTimeout === "halt" ? "waits for a person" : "forces"})` : "no drain"} · started by {plan.actor}
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
        {control.error || answer.error ? (
          <p role="alert" className="text-sm text-danger">
            {(control.error ?? answer.error) instanceof ApiError ? (control.error ?? answer.error)!.message : "The request failed."}
          </p>
        ) : null}
        <UpgradeProgress plan={plan} />
        <Outcome plan={plan} />
        {plan.state === "cancelling" ? <p className="text-sm text-fg-muted">Cancelling: the node in flight finishes first; no other node will start.</p> : null}
      </Card>
      <UpgradeNodeTable
        nodes={plan.nodes}
        now={now}
        // Answering a blocked drain steers the plan like a pause: an operator's.
        drain={{ canAct: !pause.hidden, busy: answer.isPending, onAction: (node, action) => answer.mutate({ node, action }) }}
      />
    </div>
  );
}
