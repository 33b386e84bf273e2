"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CircleCheck, FileCode2, History, LoaderCircle, RotateCcw, RotateCw, ShieldCheck, X } from "lucide-react";
import Link from "next/link";
import { useId, useState } from "react";

import { useControlAccess } from "@/components/auth/use-availability";
import { Button, buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { parseNodeId } from "@/lib/fleet/node-id";
import { configKeys } from "@/lib/client/config";
import { DEFAULT_TRY_TIMEOUT_SECONDS, type ApplyMode, type ApplyResponse, type PreflightResponse, type RevisionSummary } from "@/lib/schemas/configs";
import { configPushKeys as pushKeys, preflightRollback, revisionDiffQueryOptions, revisionsQueryOptions, rollbackConfig as rollback } from "@/lib/client/config-push";
import { formatAgo } from "@/lib/utils/time";

import { ConfirmDialog } from "./confirm-dialog";
import { DiffView } from "./diff-view";
import { describeFailure, type ProblemText } from "./errors";
import { exactTime, SOURCE_LABEL } from "./format";
import { ModeChooser } from "./mode-chooser";
import { PreflightResult, ProblemAlert } from "./preflight-result";
import { APPLY_MODES, MODE_LABEL, REVISION_RESULT } from "./push-model";

import { StatusBadge } from "./status-badge";

/** Results after which the node runs the revision's config. */
const RUNNING_RESULTS = new Set<RevisionSummary["result"]>(["applied", "kept", "trying"]);

/** Revisions a rollback can return to: ones the node once ran (or adopted), other than the current config. */
function canRollBackTo(r: RevisionSummary, current: RevisionSummary | null): boolean {
  return r.result !== "failed" && r.result !== "pending" && r.configHash !== current?.configHash;
}

/** A node's revisions, a diff between any two (or one and the running config), and rollback. */
export function RevisionHistory({ node, nodeLabel }: { node: string; nodeLabel: string }) {
  const revisions = useQuery(revisionsQueryOptions(node));
  const [compare, setCompare] = useState<{ from: number | null; to: number | "running" | null }>({ from: null, to: null });
  const [rollbackTo, setRollbackTo] = useState<RevisionSummary | null>(null);
  const [now] = useState(() => Date.now());
  // Rolling back applies a config: admins only, and only with os:admin credentials for the cluster.
  const rollbackAccess = useControlAccess("rollbackConfig", parseNodeId(node)?.cluster);

  if (revisions.isPending) {
    return (
      <Card aria-busy="true" aria-label="Loading the history" className="space-y-2 p-4">
        <Skeleton className="h-5 w-1/3" />
        <Skeleton className="h-8" />
        <Skeleton className="h-8" />
        <Skeleton className="h-8" />
      </Card>
    );
  }
  if (revisions.isError) {
    return (
      <Card role="alert" className="flex flex-wrap items-center gap-3 px-4 py-3 text-sm">
        <span className="font-semibold text-danger">Cannot read the history of {nodeLabel}:</span> {revisions.error.message}
        <Button size="sm" onClick={() => void revisions.refetch()}>
          <RotateCw aria-hidden className="size-4" /> Retry
        </Button>
      </Card>
    );
  }
  const list = revisions.data.revisions;
  if (list.length === 0) {
    return (
      <EmptyState
        icon={History}
        title={`Minos has not changed ${nodeLabel} yet`}
        action={
          <Link href={`/config?node=${encodeURIComponent(node)}`} className={buttonVariants({ variant: "primary" })}>
            <FileCode2 aria-hidden className="size-4" /> Open its running config
          </Link>
        }
      >
        Every config Minos applies to this node becomes a revision here, with who applied it, when, in which mode and what came of it.
      </EmptyState>
    );
  }
  // What the node runs, as far as Minos knows: the newest revision that took effect.
  const current = list.find((r) => RUNNING_RESULTS.has(r.result)) ?? null;
  // Default comparison: the newest revision against the last one that differs from it (a kept
  // TRY and its keep are the same config), or against the running config when there is none.
  const newest = list[0]!;
  const differing = list.find((r) => r.configHash !== newest.configHash);
  const from = compare.from ?? differing?.id ?? newest.id;
  const to = compare.to ?? (differing ? newest.id : "running");

  return (
    <div className="space-y-4">
      <Card className="overflow-x-auto">
        <table className="w-full text-sm">
          <caption className="border-b border-border px-4 py-2 text-left font-semibold">
            Revisions of {nodeLabel} <span className="font-normal text-fg-muted">(newest first; pick two to compare)</span>
          </caption>
          <thead className="bg-surface-muted text-left text-xs text-fg-muted">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">From</th>
              <th scope="col" className="px-3 py-2 font-medium">To</th>
              <th scope="col" className="px-3 py-2 font-medium">Revision</th>
              <th scope="col" className="px-3 py-2 font-medium">Result</th>
              <th scope="col" className="px-3 py-2 font-medium">When</th>
              <th scope="col" className="px-3 py-2 font-medium">By</th>
              <th scope="col" className="px-3 py-2 font-medium">How</th>
              <th scope="col" className="px-3 py-2 font-medium">Node said</th>
              <th scope="col" className="px-3 py-2 font-medium"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            <tr className="border-t border-border bg-surface-muted/40">
              <td className="px-3 py-1.5" />
              <td className="px-3 py-1.5">
                <input type="radio" name="compare-to" aria-label="Compare to the running config" checked={to === "running"} onChange={() => setCompare({ from, to: "running" })} className="accent-accent" />
              </td>
              <td colSpan={7} className="px-3 py-1.5 text-fg-muted">
                Running on the node now
              </td>
            </tr>
            {list.map((r) => {
              const result = REVISION_RESULT[r.result];
              return (
                <tr key={r.id} className="border-t border-border align-top">
                  <td className="px-3 py-2">
                    <input type="radio" name="compare-from" aria-label={`Compare from revision ${r.id}`} checked={from === r.id} onChange={() => setCompare({ from: r.id, to })} className="accent-accent" />
                  </td>
                  <td className="px-3 py-2">
                    <input type="radio" name="compare-to" aria-label={`Compare to revision ${r.id}`} checked={to === r.id} onChange={() => setCompare({ from, to: r.id })} className="accent-accent" />
                  </td>
                  <th scope="row" className="px-3 py-2 text-left font-mono font-semibold">
                    #{r.id}{" "}
                    <span className="block font-normal text-[11px] text-fg-muted" title="SHA-256 of the config">
                      {r.configHash.slice(0, 8)}
                    </span>
                  </th>
                  <td className="px-3 py-2">
                    <StatusBadge tone={result.tone} title={result.hint}>
                      {result.label}
                    </StatusBadge>
                    {r.id === current?.id ? <span className="mt-1 block text-xs font-medium text-fg">Running now</span> : null}
                  </td>
                  <td className="whitespace-nowrap px-3 py-2" title={exactTime(r.at)}>
                    {formatAgo(r.at, now)}
                  </td>
                  <td className="px-3 py-2">{r.author}</td>
                  <td className="px-3 py-2">
                    {SOURCE_LABEL[r.source]}
                    {r.rollbackOf ? ` to #${r.rollbackOf}` : ""}
                    {r.mode ? <span className="block text-xs text-fg-muted">{MODE_LABEL[r.mode]} mode</span> : null}
                    {r.rolloutId ? (
                      <Link href={`/config/rollouts/${encodeURIComponent(r.rolloutId)}`} className="block text-xs underline">
                        rollout {r.rolloutId}
                      </Link>
                    ) : null}
                  </td>
                  <td className="max-w-72 px-3 py-2 text-xs text-fg-muted">{r.message}</td>
                  <td className="px-3 py-2 text-right">
                    {canRollBackTo(r, current) && !rollbackAccess.hidden ? (
                      <Button
                        size="sm"
                        onClick={() => setRollbackTo(r)}
                        aria-label={`Roll back to revision ${r.id}`}
                        disabled={!rollbackAccess.allowed}
                        title={rollbackAccess.allowed ? undefined : rollbackAccess.reason}
                      >
                        <RotateCcw aria-hidden className="size-4" /> Roll back…
                      </Button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Card>

      {rollbackTo ? <RollbackFlow key={rollbackTo.id} node={node} nodeLabel={nodeLabel} revision={rollbackTo} onClose={() => setRollbackTo(null)} /> : null}

      <RevisionCompare node={node} from={from} to={to} />
    </div>
  );
}

function RevisionCompare({ node, from, to }: { node: string; from: number; to: number | "running" }) {
  const same = from === to;
  const diff = useQuery({ ...revisionDiffQueryOptions(node, from, to), enabled: !same });
  const toLabel = to === "running" ? "running on the node now" : `revision #${to}`;
  return (
    <Card className="overflow-hidden">
      <h2 className="border-b border-border px-4 py-2 text-sm font-semibold">
        Compare revision #{from} with {toLabel}
      </h2>
      {same ? (
        <p className="px-4 py-4 text-sm text-fg-muted">Pick two different revisions to compare.</p>
      ) : diff.isPending ? (
        <div aria-busy="true" className="space-y-2 p-4">
          <Skeleton className="h-4 w-1/3" />
          <Skeleton className="h-40" />
        </div>
      ) : diff.isError ? (
        <p role="alert" className="px-4 py-3 text-sm text-danger">
          Cannot compute the diff: {diff.error.message}
        </p>
      ) : diff.data.unchanged ? (
        <p role="status" className="flex items-center gap-2 px-4 py-4 text-sm">
          <CircleCheck aria-hidden className="size-4 text-ok" /> Identical configs.
        </p>
      ) : (
        <DiffView
          label="Revision diff"
          beforeLabel={`revision #${from}`}
          afterLabel={toLabel}
          before={diff.data.fromYaml}
          after={diff.data.toYaml}
          unified={diff.data.diff}
        />
      )}
    </Card>
  );
}

/** Rollback = the old revision through the same preflight → apply path, as a new revision. */
function RollbackFlow({ node, nodeLabel, revision, onClose }: { node: string; nodeLabel: string; revision: RevisionSummary; onClose: () => void }) {
  const queryClient = useQueryClient();
  const id = useId();
  const [mode, setMode] = useState<ApplyMode>("auto");
  const [tryTimeoutSeconds, setTryTimeout] = useState(DEFAULT_TRY_TIMEOUT_SECONDS);
  const [checked, setChecked] = useState<{ mode: ApplyMode; tryTimeoutSeconds: number; result: PreflightResponse } | null>(null);
  const [problem, setProblem] = useState<ProblemText | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<ApplyResponse | null>(null);
  const body = { mode, tryTimeoutSeconds: mode === "try" ? tryTimeoutSeconds : undefined };
  const fresh = checked !== null && checked.mode === mode && (mode !== "try" || checked.tryTimeoutSeconds === tryTimeoutSeconds);

  const check = useMutation({
    mutationFn: () => preflightRollback(node, revision.id, body),
    onMutate: () => {
      setProblem(null);
      setDone(null);
    },
    onSuccess: (result) => setChecked({ mode, tryTimeoutSeconds, result }),
    onError: (e) => {
      setChecked(null);
      setProblem(describeFailure(e, nodeLabel, "preflight on"));
    },
  });
  const run = useMutation({
    mutationFn: () => rollback(node, revision.id, body),
    onSuccess: (r) => {
      setConfirming(false);
      setChecked(null);
      setDone(r);
      void queryClient.invalidateQueries({ queryKey: pushKeys.revisions(node) });
      void queryClient.invalidateQueries({ queryKey: pushKeys.drift(node) });
      void queryClient.invalidateQueries({ queryKey: configKeys.node(node) });
    },
    onError: (e) => {
      setConfirming(false);
      setChecked(null);
      setProblem(describeFailure(e, nodeLabel, "roll back"));
    },
  });
  const result = checked?.result;
  const reboots = mode === "reboot" || (fresh && result?.reboots === true);
  const blocker = run.isPending
    ? "Rolling back…"
    : !checked
      ? "Run the preflight first."
      : !fresh
        ? "The mode changed since the preflight: run it again."
        : !checked.result.ok
          ? "The node refused this config in the preflight."
          : checked.result.unchanged
            ? `The node already runs revision #${revision.id}.`
            : null;
  const address = nodeLabel.split(" ")[0];

  return (
    <Card role="region" aria-labelledby={`${id}-title`} className="overflow-hidden">
      <div className="flex items-center gap-2 border-b border-border px-4 py-2">
        <h2 id={`${id}-title`} className="flex items-center gap-2 text-sm font-semibold">
          <RotateCcw aria-hidden className="size-4 text-fg-muted" /> Roll {nodeLabel} back to revision #{revision.id}
        </h2>
        <Button size="sm" variant="ghost" className="ml-auto" onClick={onClose} aria-label="Close the rollback">
          <X aria-hidden className="size-4" />
        </Button>
      </div>
      <div className="grid gap-4 px-4 py-3 lg:grid-cols-[minmax(0,1fr)_auto]">
        <ModeChooser
          value={mode}
          onChange={setMode}
          modes={APPLY_MODES}
          rebootAvailable={checked?.result.rebootModeAvailable ?? true}
          tryTimeoutSeconds={tryTimeoutSeconds}
          onTryTimeoutChange={setTryTimeout}
          disabled={run.isPending}
        />
        <div className="flex flex-col gap-2 lg:w-72">
          <p className="text-xs text-fg-muted">The old config goes through the same preflight and apply as any edit, and becomes a new revision.</p>
          <Button variant={fresh ? "secondary" : "primary"} onClick={() => check.mutate()} disabled={check.isPending || run.isPending}>
            {check.isPending ? <LoaderCircle aria-hidden className="size-4 animate-spin motion-reduce:animate-none" /> : <ShieldCheck aria-hidden className="size-4" />}
            Run preflight on {address}
          </Button>
          <Button variant={reboots ? "danger" : "primary"} onClick={() => setConfirming(true)} disabled={blocker !== null} aria-describedby={`${id}-why`}>
            <RotateCcw aria-hidden className="size-4" /> Roll back to #{revision.id}…
          </Button>
          <p id={`${id}-why`} className="text-xs text-fg-muted">
            {blocker ?? `Ready: ${result?.effect}.`}
          </p>
        </div>
      </div>
      {problem ? (
        <div className="px-4 pb-3">
          <ProblemAlert problem={problem} />
        </div>
      ) : null}
      {done ? (
        <p role="status" className="mx-4 mb-3 flex items-center gap-2 rounded-md border border-ok/40 bg-ok/10 px-3 py-2 text-sm">
          <CircleCheck aria-hidden className="size-4 text-ok" />
          <span>
            <span className="font-semibold">Rolled back {nodeLabel} to revision #{revision.id}</span>, recorded as revision #{done.revision.id}: {done.effect}.
          </span>
        </p>
      ) : null}
      {result ? <PreflightResult result={result} nodeLabel={nodeLabel} afterLabel={`revision #${revision.id}`} stale={!fresh} /> : null}
      <ConfirmDialog
        open={confirming && fresh && !!result}
        title={reboots ? `Reboot ${nodeLabel} to roll back to revision #${revision.id}?` : `Roll ${nodeLabel} back to revision #${revision.id}?`}
        confirmLabel={reboots ? `Roll back and reboot ${address}` : `Roll back ${address}`}
        danger={reboots}
        busy={run.isPending}
        onCancel={() => setConfirming(false)}
        onConfirm={() => run.mutate()}
      >
        <p>
          <span className="font-semibold">Mode:</span> {MODE_LABEL[mode]}. <span className="font-semibold">What will happen:</span> {result?.effect}
        </p>
        {reboots ? <p className="font-semibold text-danger">{nodeLabel} reboots: its workloads stop until it is back.</p> : null}
        <p className="text-fg-muted">The rollback is recorded as a new revision; revision #{revision.id} stays as it was.</p>
      </ConfirmDialog>
    </Card>
  );
}
