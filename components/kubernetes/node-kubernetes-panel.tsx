"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CircleAlert, LoaderCircle, PauseCircle, PlayCircle, Waves } from "lucide-react";
import Link from "next/link";
import { useState, type ReactNode } from "react";

import { CordonBadge, KubeReadyBadge } from "@/components/kubernetes/kube-badges";
import { accessProblem } from "@/components/kubernetes/kube-cluster-status";
import { DrainDialog } from "@/components/kubernetes/drain-dialog";
import { DrainBlocked, DrainDone } from "@/components/kubernetes/drain-outcome";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { roleAtLeast } from "@/lib/auth/roles";
import { sessionQuery } from "@/lib/client/auth";
import { fleetKeys, nodesQueryOptions } from "@/lib/client/fleet";
import { blockedDrain, cordonNode, drainNode, uncordonNode } from "@/lib/client/kubernetes";
import type { NodeSummary } from "@/lib/schemas/fleet";
import type { CordonResult, DrainRequest, DrainResult } from "@/lib/schemas/kubernetes";
import { cn } from "@/lib/utils/cn";

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-fg-muted">{label}</dt>
      <dd className="mt-1 text-sm">{children}</dd>
    </div>
  );
}

/**
 * "Force drain" after a halt: the person has seen what blocks and decided, so the pods go at once
 * rather than after another full timeout (the runners' FORCE_NOW_SECONDS, lib/server/jobs/drain-step.ts).
 */
const FORCE_NOW_SECONDS = 10;

type Action = { kind: "cordon" } | { kind: "uncordon" } | { kind: "drain"; request: Required<DrainRequest> };
type Outcome = { kind: "cordon" | "uncordon"; result: CordonResult } | { kind: "drain"; result: DrainResult; request: Required<DrainRequest> };

function run(node: string, action: Action): Promise<Outcome> {
  switch (action.kind) {
    case "cordon":
      return cordonNode(node).then((result) => ({ kind: "cordon", result }));
    case "uncordon":
      return uncordonNode(node).then((result) => ({ kind: "uncordon", result }));
    case "drain":
      return drainNode(node, action.request).then((result) => ({ kind: "drain", result, request: action.request }));
  }
}

/**
 * The node page's Kubernetes panel: the Node's name, Ready condition, kubelet, cordon state and
 * pods, and for operators Cordon / Uncordon / Drain. The status itself is the fleet snapshot's
 * (live over SSE); after an action the fleet queries are refetched so it shows at once.
 */
export function NodeKubernetesPanel({ summary }: { summary: NodeSummary }) {
  const k = summary.kubernetes;
  const queryClient = useQueryClient();
  const session = useQuery(sessionQuery());
  const clusterQuery = useQuery(nodesQueryOptions(summary.cluster));
  const clusterKube = clusterQuery.data?.clusters.find((c) => c.name === summary.cluster)?.kubernetes;
  const role = session.data?.user?.role;
  const operator = role !== undefined && roleAtLeast(role, "operator");
  const [draining, setDraining] = useState(false);

  const action = useMutation({
    mutationFn: (a: Action) => run(summary.id, a),
    onSettled: () => queryClient.invalidateQueries({ queryKey: fleetKeys.all }),
  });

  if (!k) return null;
  const problem = accessProblem(clusterKube);
  const name = k.nodeName ?? summary.hostname ?? summary.address;
  // Why the buttons cannot work right now (the server would refuse with the same reason).
  const unavailable = problem && clusterKube?.access !== "unknown" ? problem.title : k.nodeName === null ? "Kubernetes has no Node for this Talos node" : null;
  // Whether anything below was ever read (the server may keep the last answer while the API is away).
  const known = k.nodeName !== null || k.ready !== null || k.kubeletVersion !== null;
  const busy = action.isPending;
  const pendingKind = action.isPending ? action.variables.kind : null;
  const lastDrain = action.variables?.kind === "drain" ? action.variables.request : null;
  const blocked = action.isError ? blockedDrain(action.error) : null;
  const outcome = action.isSuccess ? action.data : null;

  return (
    <>
      <Card className="space-y-4 p-5">
        {problem ? (
          <p
            role="status"
            className={cn(
              "flex items-start gap-2 text-sm",
              problem.tone === "danger" ? "text-danger" : problem.tone === "warn" ? "text-warn" : "text-fg-muted",
            )}
          >
            <CircleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
            <span>
              <strong className="font-medium">{problem.title}</strong>
              {problem.detail ? <span className="text-fg-muted"> · {problem.detail}</span> : null}
              {clusterKube?.access === "no-credentials" ? (
                <>
                  {" "}
                  <Link href="/clusters#kubernetes-access" className="text-accent underline underline-offset-2">
                    Kubernetes access
                  </Link>
                </>
              ) : null}
              {known ? <span className="block text-fg-muted">What follows is the last known state.</span> : null}
            </span>
          </p>
        ) : null}

        <dl aria-label="Kubernetes status" className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-5">
          <Fact label="Node name">{k.nodeName ? <span className="font-mono">{k.nodeName}</span> : <span className="text-fg-muted">{problem ? "unknown" : "no Node"}</span>}</Fact>
          <Fact label="Ready">
            <KubeReadyBadge kubernetes={k} />
            {k.ready === false && k.readyReason ? <span className="mt-1 block text-xs text-fg-muted">{k.readyReason}</span> : null}
          </Fact>
          <Fact label="Kubelet">
            {k.kubeletVersion ? <span className="font-mono">{k.kubeletVersion}</span> : <span className="text-fg-muted">unknown</span>}
          </Fact>
          <Fact label="Scheduling">
            <CordonBadge kubernetes={k} />
          </Fact>
          <Fact label="Pods">
            <span className="tabular-nums" data-testid="kube-pods">
              {k.pods ?? <span className="text-fg-muted">unknown</span>}
            </span>
          </Fact>
        </dl>

        {operator ? (
          <div className="flex flex-wrap items-center gap-2 border-t border-border pt-4">
            {k.unschedulable ? (
              <Button disabled={busy || unavailable !== null} onClick={() => action.mutate({ kind: "uncordon" })}>
                <PlayCircle aria-hidden className="size-4" />
                {pendingKind === "uncordon" ? "Uncordoning…" : "Uncordon"}
              </Button>
            ) : (
              <Button disabled={busy || unavailable !== null} onClick={() => action.mutate({ kind: "cordon" })}>
                <PauseCircle aria-hidden className="size-4" />
                {pendingKind === "cordon" ? "Cordoning…" : "Cordon"}
              </Button>
            )}
            <Button variant="primary" disabled={busy || unavailable !== null} onClick={() => setDraining(true)}>
              <Waves aria-hidden className="size-4" />
              Drain…
            </Button>
            {unavailable ? <span className="text-xs text-fg-muted">{unavailable}</span> : null}
            {pendingKind === "drain" && lastDrain ? (
              <span role="status" className="flex items-center gap-2 text-sm text-fg-muted">
                <LoaderCircle aria-hidden className="size-4 animate-spin" />
                Draining {name}: evicting its pods (up to {lastDrain.timeoutSeconds} s, then {lastDrain.onTimeout === "force" ? "force" : "stop"})…
              </span>
            ) : null}
          </div>
        ) : null}

        {outcome?.kind === "drain" ? (
          outcome.result.outcome === "blocked" ? (
            <DrainBlocked nodeName={name} blocked={{ blocking: outcome.result.blocking, evicted: outcome.result.evicted }} />
          ) : (
            <DrainDone result={outcome.result} />
          )
        ) : outcome ? (
          <p role="status" className="text-sm text-fg-muted">
            {outcome.result.changed
              ? `${outcome.result.nodeName} is ${outcome.result.unschedulable ? "cordoned: no new pods are scheduled on it" : "schedulable again"}.`
              : `${outcome.result.nodeName} already was ${outcome.result.unschedulable ? "cordoned" : "schedulable"}.`}
          </p>
        ) : null}
        {blocked ? (
          <DrainBlocked
            nodeName={name}
            blocked={blocked}
            actions={
              lastDrain ? (
                <>
                  <Button size="sm" disabled={busy} onClick={() => action.mutate({ kind: "drain", request: lastDrain })}>
                    Retry drain
                  </Button>
                  <Button
                    size="sm"
                    variant="danger"
                    disabled={busy}
                    onClick={() => action.mutate({ kind: "drain", request: { timeoutSeconds: FORCE_NOW_SECONDS, onTimeout: "force" } })}
                  >
                    Force drain
                  </Button>
                </>
              ) : null
            }
          />
        ) : action.isError ? (
          <p role="alert" className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger">
            Could not {action.variables.kind} {name}: {action.error.message}
          </p>
        ) : null}
      </Card>
      <DrainDialog
        open={draining}
        nodeName={name}
        onCancel={() => setDraining(false)}
        onConfirm={(request) => {
          setDraining(false);
          action.mutate({ kind: "drain", request });
        }}
      />
    </>
  );
}
