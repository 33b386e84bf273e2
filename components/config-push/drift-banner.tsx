"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ChevronDown, ChevronRight, GitCompareArrows, LoaderCircle, RotateCcw, Stamp } from "lucide-react";
import { useState } from "react";

import { useControlAccess } from "@/components/auth/use-availability";
import { Button } from "@/components/ui/button";
import { parseNodeId } from "@/lib/fleet/node-id";
import { configKeys } from "@/lib/client/config";
import type { PreflightResponse } from "@/lib/schemas/configs";
import { adoptDrift, configPushKeys as pushKeys, driftQueryOptions, preflightRollback, reapplyDrift } from "@/lib/client/config-push";

import { ConfirmDialog } from "./confirm-dialog";
import { UnifiedDiff } from "./diff-view";
import { describeFailure, type ProblemText } from "./errors";
import { ProblemAlert } from "./preflight-result";

type Pending = { kind: "adopt" } | { kind: "reapply"; preview: PreflightResponse } | null;

/**
 * "Changed outside Minos": the node's running config differs from the last config Minos
 * applied. Shows the diff and offers to adopt the running config or to apply Minos's again.
 */
export function DriftBanner({ node, nodeLabel, quietErrors = false }: { node: string; nodeLabel: string; quietErrors?: boolean }) {
  const queryClient = useQueryClient();
  const drift = useQuery({ ...driftQueryOptions(node), refetchInterval: 60_000 });
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState<Pending>(null);
  // Adopting and re-applying change what Minos holds or the node runs: admins only.
  const fix = useControlAccess("applyConfig", parseNodeId(node)?.cluster);
  const [problem, setProblem] = useState<ProblemText | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: pushKeys.drift(node) });
    void queryClient.invalidateQueries({ queryKey: pushKeys.revisions(node) });
    void queryClient.invalidateQueries({ queryKey: configKeys.node(node) });
  };

  const preview = useMutation({
    mutationFn: (revisionId: number) => preflightRollback(node, revisionId, { mode: "auto" }),
    onMutate: () => setProblem(null),
    onSuccess: (result) => {
      if (result.ok) setPending({ kind: "reapply", preview: result });
      else setProblem({ title: `${nodeLabel} refuses Minos's last config`, detail: result.verdict, lines: [] });
    },
    onError: (e) => setProblem(describeFailure(e, nodeLabel, "preflight on")),
  });
  const adopt = useMutation({
    mutationFn: () => adoptDrift(node),
    onSuccess: (r) => {
      setPending(null);
      setDone(`Adopted: the running config of ${nodeLabel} is now revision #${r.revision.id}.`);
      refresh();
    },
    onError: (e) => {
      setPending(null);
      setProblem(describeFailure(e, nodeLabel, "adopt the config of"));
    },
  });
  const reapply = useMutation({
    mutationFn: () => reapplyDrift(node, { mode: "auto" }),
    onSuccess: (r) => {
      setPending(null);
      setDone(`Re-applied to ${nodeLabel} as revision #${r.revision.id}: ${r.effect}.`);
      refresh();
    },
    onError: (e) => {
      setPending(null);
      setProblem(describeFailure(e, nodeLabel, "re-apply to"));
    },
  });

  if (drift.isError) {
    if (quietErrors) return null;
    return (
      <p role="alert" className="text-sm text-fg-muted">
        Could not check {nodeLabel} for changes made outside Minos: {drift.error.message}
      </p>
    );
  }
  const d = drift.data;
  if (done && !d?.drifted) {
    return (
      <p role="status" className="rounded-md border border-ok/40 bg-ok/10 px-3 py-2 text-sm">
        {done}
      </p>
    );
  }
  if (!d?.drifted) return problem ? <ProblemAlert problem={problem} /> : null;
  const address = nodeLabel.split(" ")[0];

  return (
    <div role="region" aria-label="Changed outside Minos" className="rounded-lg border border-warn/50 bg-warn/10">
      <div className="flex flex-wrap items-center gap-3 px-4 py-3">
        <GitCompareArrows aria-hidden className="size-5 shrink-0 text-warn" />
        <div className="min-w-0 flex-1 text-sm">
          <p className="font-semibold">Changed outside Minos</p>
          <p className="text-fg-muted">
            The config running on {nodeLabel} differs from revision #{d.revisionId}, the last one Minos applied
            {d.changedSecrets.length ? ` (secrets changed: ${d.changedSecrets.join(", ")})` : ""}. Checked {new Date(d.checkedAt).toLocaleTimeString()}.
          </p>
        </div>
        <Button size="sm" variant="ghost" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? <ChevronDown aria-hidden className="size-4" /> : <ChevronRight aria-hidden className="size-4" />}
          {open ? "Hide the difference" : "Show the difference"}
        </Button>
        {fix.hidden ? null : (
          <>
            <Button size="sm" onClick={() => setPending({ kind: "adopt" })} disabled={adopt.isPending}>
              <Stamp aria-hidden className="size-4" /> Adopt the running config
            </Button>
            <Button
              size="sm"
              onClick={() => d.revisionId !== null && preview.mutate(d.revisionId)}
              disabled={preview.isPending || d.revisionId === null || !fix.allowed}
              title={fix.allowed ? undefined : fix.reason}
            >
              {preview.isPending ? <LoaderCircle aria-hidden className="size-4 animate-spin motion-reduce:animate-none" /> : <RotateCcw aria-hidden className="size-4" />}
              Re-apply revision #{d.revisionId}…
            </Button>
          </>
        )}
      </div>
      {problem ? (
        <div className="px-4 pb-3">
          <ProblemAlert problem={problem} />
        </div>
      ) : null}
      {open ? (
        <div className="border-t border-warn/30 bg-surface">
          <p className="px-3 pt-2 text-xs text-fg-muted">
            <span className="font-semibold">-</span> revision #{d.revisionId} (Minos) · <span className="font-semibold">+</span> running on the node now
          </p>
          <UnifiedDiff text={d.diff} label="Changes made outside Minos" />
        </div>
      ) : null}

      <ConfirmDialog
        open={pending?.kind === "adopt"}
        title={`Adopt the running config of ${nodeLabel}?`}
        confirmLabel={`Adopt on ${address}`}
        busy={adopt.isPending}
        onCancel={() => setPending(null)}
        onConfirm={() => adopt.mutate()}
      >
        <p>Minos records the config the node runs now as a new revision. Nothing is sent to the node.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={pending?.kind === "reapply"}
        title={`Re-apply revision #${d.revisionId} to ${nodeLabel}?`}
        confirmLabel={pending?.kind === "reapply" && pending.preview.reboots ? `Re-apply and reboot ${address}` : `Re-apply to ${address}`}
        danger={pending?.kind === "reapply" && pending.preview.reboots}
        busy={reapply.isPending}
        onCancel={() => setPending(null)}
        onConfirm={() => reapply.mutate()}
      >
        <p>The changes made outside Minos are undone.</p>
        {pending?.kind === "reapply" ? (
          <p>
            <span className="font-semibold">What will happen:</span> {pending.preview.effect}
          </p>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}
