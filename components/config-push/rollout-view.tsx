"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ChevronRight, FileCode2, Layers, LoaderCircle, Pause, Play, RotateCw, SearchX, Square } from "lucide-react";
import Link from "next/link";
import { useState } from "react";

import { useControlAccess } from "@/components/auth/use-availability";
import { NodeDrainInfo } from "@/components/drain/node-drain";
import { Button, buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { ApiError } from "@/lib/client/api";
import type { Rollout, RolloutAction, RolloutTarget } from "@/lib/schemas/configs";
import { answerRolloutDrain, configPushKeys as pushKeys, rolloutAction, rolloutQueryOptions, rolloutsQueryOptions } from "@/lib/client/config-push";
import type { DrainAction } from "@/lib/schemas/drain";
import { formatAgo } from "@/lib/utils/time";

import { ConfirmDialog } from "./confirm-dialog";
import { describeFailure, type ProblemText } from "./errors";
import { exactTime } from "./format";
import { ProblemAlert } from "./preflight-result";
import { MODE_LABEL, ROLLOUT_NODE_STATE, ROLLOUT_STATE, rolloutCounts } from "./push-model";

import { StatusBadge } from "./status-badge";

export function targetText(t: RolloutTarget): string {
  const who = t.nodes ? `${t.nodes.length} listed node${t.nodes.length === 1 ? "" : "s"}` : t.role === "controlplane" ? "control planes" : t.role === "worker" ? "workers" : "all nodes";
  const more = [t.nodes && t.role ? `${t.role}s only` : "", t.hostname ? `hostname ~ ${t.hostname}` : "", t.talosVersion ? `Talos ${t.talosVersion}` : ""].filter(Boolean);
  return `${who} of ${t.cluster}${more.length > 0 ? ` (${more.join(", ")})` : ""}`;
}

function progressText(r: Rollout): string {
  const c = rolloutCounts(r.nodes.map((n) => n.state));
  const parts = [`${c.done} of ${r.nodes.length} done`];
  if (c.active) parts.push(`${c.active} in progress`);
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.skipped) parts.push(`${c.skipped} skipped`);
  return parts.join(", ");
}

/** Every rollout, newest first. */
export function RolloutList() {
  const rollouts = useQuery({ ...rolloutsQueryOptions, refetchInterval: (q) => (q.state.data?.rollouts.some((r) => r.state === "running" || r.state === "preflight") ? 2_000 : false) });
  const [now] = useState(() => Date.now());
  if (rollouts.isPending) {
    return (
      <Card aria-busy="true" aria-label="Loading rollouts" className="space-y-2 p-4">
        <Skeleton className="h-8" />
        <Skeleton className="h-8" />
      </Card>
    );
  }
  if (rollouts.isError) {
    return (
      <Card role="alert" className="flex flex-wrap items-center gap-3 px-4 py-3 text-sm">
        <span className="font-semibold text-danger">Cannot list rollouts:</span> {rollouts.error.message}
        <Button size="sm" onClick={() => void rollouts.refetch()}>
          <RotateCw aria-hidden className="size-4" /> Retry
        </Button>
      </Card>
    );
  }
  if (rollouts.data.rollouts.length === 0) {
    return (
      <EmptyState
        icon={Layers}
        title="No rollouts yet"
        action={
          <Link href="/config" className={buttonVariants({ variant: "primary" })}>
            <FileCode2 aria-hidden className="size-4" /> Open the editor
          </Link>
        }
      >
        A rollout applies one config to many nodes: a cluster, a role or listed nodes. Start one from the editor&apos;s “Roll out to several nodes” tab.
      </EmptyState>
    );
  }
  return (
    <Card className="overflow-x-auto">
      <table className="w-full text-sm">
        <caption className="sr-only">Rollouts, newest first</caption>
        <thead className="bg-surface-muted text-left text-xs text-fg-muted">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">Rollout</th>
            <th scope="col" className="px-3 py-2 font-medium">State</th>
            <th scope="col" className="px-3 py-2 font-medium">Target</th>
            <th scope="col" className="px-3 py-2 font-medium">Mode</th>
            <th scope="col" className="px-3 py-2 font-medium">Progress</th>
            <th scope="col" className="px-3 py-2 font-medium">Started</th>
          </tr>
        </thead>
        <tbody>
          {rollouts.data.rollouts.map((r) => {
            const state = ROLLOUT_STATE[r.state];
            return (
              <tr key={r.id} className="border-t border-border">
                <th scope="row" className="px-3 py-2 text-left font-mono font-medium">
                  <Link href={`/config/rollouts/${encodeURIComponent(r.id)}`} className="inline-flex items-center gap-1 underline">
                    {r.id} <ChevronRight aria-hidden className="size-3.5" />
                  </Link>
                </th>
                <td className="px-3 py-2">
                  <StatusBadge tone={state.tone}>{state.label}</StatusBadge>
                </td>
                <td className="px-3 py-2">{targetText(r.target)}</td>
                <td className="px-3 py-2">{MODE_LABEL[r.mode]}</td>
                <td className="px-3 py-2">{progressText(r)}</td>
                <td className="whitespace-nowrap px-3 py-2" title={exactTime(r.createdAt)}>
                  {formatAgo(r.createdAt, now)} by {r.author}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Card>
  );
}

const ACTION_WORDS: Record<RolloutAction, string> = { pause: "pause", resume: "resume", cancel: "cancel" };

/** One rollout: its state in words, pause/resume/cancel, and the per-node results table. */
export function RolloutDetail({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const rollout = useQuery(rolloutQueryOptions(id));
  const [confirmCancel, setConfirmCancel] = useState(false);
  // Pausing and resuming are an operator's, cancelling an admin's; nobody sees a button they cannot use.
  const mayPause = !useControlAccess("pauseRollout").hidden;
  const mayResume = !useControlAccess("resumeRollout").hidden;
  const mayCancel = !useControlAccess("cancelRollout").hidden;
  const [problem, setProblem] = useState<ProblemText | null>(null);
  const act = useMutation({
    mutationFn: (action: RolloutAction) => rolloutAction(id, action),
    onMutate: () => setProblem(null),
    onSuccess: () => {
      setConfirmCancel(false);
      void queryClient.invalidateQueries({ queryKey: pushKeys.rollouts() });
    },
    onError: (e, action) => {
      setConfirmCancel(false);
      setProblem(describeFailure(e, `rollout ${id}`, ACTION_WORDS[action]));
    },
  });

  // Answering a blocked drain steers the rollout like a pause: an operator's.
  const answer = useMutation({
    mutationFn: ({ node, action }: { node: string; action: DrainAction }) => answerRolloutDrain(id, node, action),
    onMutate: () => setProblem(null),
    onSuccess: (next) => {
      queryClient.setQueryData(rolloutQueryOptions(id).queryKey, next);
      void queryClient.invalidateQueries({ queryKey: pushKeys.rollouts() });
    },
    onError: (e, { node }) => setProblem({ title: `Could not answer the drain of ${node.split("@")[0]}`, detail: e.message, lines: [] }),
  });

  if (rollout.isPending) {
    return (
      <div aria-busy="true" aria-label="Loading the rollout" className="space-y-3">
        <Skeleton className="h-20" />
        <Skeleton className="h-64" />
      </div>
    );
  }
  if (rollout.isError && rollout.error instanceof ApiError && rollout.error.code === "not_found") {
    return (
      <EmptyState
        icon={SearchX}
        title={`No rollout ${id}`}
        action={
          <Link href="/config/rollouts" className={buttonVariants({ variant: "primary" })}>
            All rollouts
          </Link>
        }
      >
        Minos has no rollout with this ID. Check the link, or pick one from the list.
      </EmptyState>
    );
  }
  if (rollout.isError) {
    return (
      <Card role="alert" className="flex flex-wrap items-center gap-3 px-4 py-3 text-sm">
        <span className="font-semibold text-danger">Cannot read rollout {id}:</span> {rollout.error.message}
        <Button size="sm" onClick={() => void rollout.refetch()}>
          <RotateCw aria-hidden className="size-4" /> Retry
        </Button>
      </Card>
    );
  }
  const r = rollout.data;
  const state = ROLLOUT_STATE[r.state];
  const drain = r.strategy?.drain;
  const live = r.state === "running" || r.state === "preflight";
  const canResume = r.state === "paused" || r.state === "failed";
  const canCancel = r.state === "running" || r.state === "paused" || r.state === "failed";

  return (
    <div className="space-y-4">
      <Card className="space-y-3 px-4 py-3">
        <div className="flex flex-wrap items-center gap-3">
          <h2 className="text-base font-semibold">Rollout {r.id}</h2>
          <StatusBadge tone={state.tone}>{state.label}</StatusBadge>
          {live ? <LoaderCircle aria-label="In progress" className="size-4 animate-spin text-info motion-reduce:animate-none" /> : null}
          <div className="ml-auto flex flex-wrap gap-2">
            {r.state === "running" && mayPause ? (
              <Button size="sm" onClick={() => act.mutate("pause")} disabled={act.isPending}>
                <Pause aria-hidden className="size-4" /> Pause
              </Button>
            ) : null}
            {canResume && mayResume ? (
              <Button size="sm" variant="primary" onClick={() => act.mutate("resume")} disabled={act.isPending}>
                <Play aria-hidden className="size-4" /> {r.state === "failed" ? "Continue with the remaining nodes" : "Resume"}
              </Button>
            ) : null}
            {canCancel && mayCancel ? (
              <Button size="sm" variant="ghost" onClick={() => setConfirmCancel(true)} disabled={act.isPending}>
                <Square aria-hidden className="size-4" /> Cancel…
              </Button>
            ) : null}
          </div>
        </div>
        <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2 lg:grid-cols-4">
          <div>
            <dt className="text-xs text-fg-muted">Target</dt>
            <dd>{targetText(r.target)}</dd>
          </div>
          <div>
            <dt className="text-xs text-fg-muted">Mode and pace</dt>
            <dd>
              {MODE_LABEL[r.mode]}, {r.concurrency} worker{r.concurrency === 1 ? "" : "s"} at once, {r.continueOnFailure ? "goes on after failures" : "stops at the first failure"}
              {drain ? `; ${drain.enabled ? `drains the nodes it reboots (${drain.timeoutSeconds} s, then ${drain.onTimeout === "halt" ? "waits for a person" : "forces"})` : "no drain"}` : ""}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-fg-muted">Progress</dt>
            <dd>{progressText(r)}</dd>
          </div>
          <div>
            <dt className="text-xs text-fg-muted">Started</dt>
            <dd title={exactTime(r.createdAt)}>
              {exactTime(r.createdAt)} by {r.author}
            </dd>
          </div>
        </dl>
        {r.message ? (
          <p role={r.state === "failed" || r.state === "preflight-failed" ? "alert" : "status"} className="text-sm">
            <span className="font-semibold">{r.state === "preflight-failed" ? "Nothing was applied: " : ""}</span>
            {r.message}
          </p>
        ) : null}
        {problem ? <ProblemAlert problem={problem} /> : null}
      </Card>

      <Card className="overflow-x-auto">
        <table className="w-full text-sm">
          <caption className="border-b border-border px-4 py-2 text-left font-semibold">Per-node results</caption>
          <thead className="bg-surface-muted text-left text-xs text-fg-muted">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">Node</th>
              <th scope="col" className="px-3 py-2 font-medium">Role</th>
              <th scope="col" className="px-3 py-2 font-medium">State</th>
              <th scope="col" className="px-3 py-2 font-medium">Mode</th>
              <th scope="col" className="px-3 py-2 font-medium">Details</th>
              <th scope="col" className="px-3 py-2 font-medium">Revision</th>
            </tr>
          </thead>
          <tbody>
            {r.nodes.map((n) => {
              const s = ROLLOUT_NODE_STATE[n.state];
              const active = n.state === "applying" || n.state === "waiting-healthy" || n.state === "draining";
              return (
                <tr key={n.id} className={`border-t border-border align-top ${s.tone === "danger" ? "bg-danger/5" : ""}`}>
                  <th scope="row" className="px-3 py-2 text-left font-mono font-medium">
                    {n.id.split("@")[0]}
                  </th>
                  <td className="px-3 py-2">{n.role === "controlplane" ? "Control plane" : "Worker"}</td>
                  <td className="px-3 py-2">
                    <StatusBadge tone={s.tone}>
                      {active ? <LoaderCircle aria-hidden className="size-3 animate-spin motion-reduce:animate-none" /> : null}
                      {s.label}
                    </StatusBadge>
                  </td>
                  <td className="px-3 py-2">{n.mode ? MODE_LABEL[n.mode] : "—"}</td>
                  <td className="max-w-md px-3 py-2 text-xs">
                    {n.message || <span className="text-fg-muted">—</span>}
                    {n.state !== "drain-blocked" && n.drain && n.drain.message === n.message ? null : (
                      <NodeDrainInfo
                        drain={n.drain}
                        blocked={n.state === "drain-blocked"}
                        canAct={mayPause}
                        busy={answer.isPending}
                        onAction={(action) => answer.mutate({ node: n.id, action })}
                        label={n.id.split("@")[0]!}
                      />
                    )}
                  </td>
                  <td className="px-3 py-2">
                    {n.revisionId ? (
                      <Link href={`/config/history?node=${encodeURIComponent(n.id)}`} className="font-mono underline">
                        #{n.revisionId}
                      </Link>
                    ) : (
                      <span className="text-fg-muted">—</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Card>

      <details className="rounded-lg border border-border bg-surface">
        <summary className="cursor-pointer px-4 py-2 text-sm font-semibold">The manifest (secrets redacted)</summary>
        <pre className="max-h-96 overflow-auto border-t border-border px-4 py-2 font-mono text-xs">{r.yaml}</pre>
      </details>

      <ConfirmDialog
        open={confirmCancel}
        title={`Cancel rollout ${r.id}?`}
        confirmLabel="Cancel the rollout"
        danger
        busy={act.isPending}
        onCancel={() => setConfirmCancel(false)}
        onConfirm={() => act.mutate("cancel")}
      >
        <p>Nodes already done keep the new config. A node being applied now finishes; the remaining nodes are skipped.</p>
      </ConfirmDialog>
    </div>
  );
}
