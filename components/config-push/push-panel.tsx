"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CircleCheck, History, LoaderCircle, Rocket, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { useId, useState } from "react";

import { buttonVariants, Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { configKeys } from "@/lib/client/config";
import { DEFAULT_TRY_TIMEOUT_SECONDS, type ApplyMode, type ApplyResponse, type PreflightResponse } from "@/lib/schemas/configs";
import { applyConfig as apply, configPushKeys as pushKeys, preflightConfig as preflight } from "@/lib/client/config-push";
import { rebootModeRemoved } from "@/lib/talos/features";

import { ConfirmDialog } from "./confirm-dialog";
import { describeFailure, type ProblemText } from "./errors";
import { ModeChooser } from "./mode-chooser";
import { PreflightResult, ProblemAlert } from "./preflight-result";
import { APPLY_MODES, MODE_LABEL, applyBlocker, durationWords, sameSubject, type PreflightSubject } from "./push-model";

/** Talos 1.13 and older still take `reboot` outside maintenance. */
export function rebootModeAllowed(talosVersion: string | null | undefined): boolean {
  return !rebootModeRemoved(talosVersion ?? "");
}

interface PushPanelProps {
  node: string;
  /** "10.5.0.2 (sim-1)". */
  nodeLabel: string;
  yaml: string;
  /** Local validation has judged exactly this text. */
  validated: boolean;
  localErrors: number;
  talosVersion: string | null | undefined;
  plain?: boolean;
  onApplied: (result: ApplyResponse) => void;
}

/**
 * Preflight → apply for one node. Apply is enabled only by a passing preflight of exactly the
 * text and mode on screen; any edit or mode change makes the preflight stale.
 */
export function PushPanel({ node, nodeLabel, yaml, validated, localErrors, talosVersion, plain, onApplied }: PushPanelProps) {
  const queryClient = useQueryClient();
  const reasonId = useId();
  const [mode, setMode] = useState<ApplyMode>("auto");
  const [tryTimeoutSeconds, setTryTimeout] = useState(DEFAULT_TRY_TIMEOUT_SECONDS);
  const [checked, setChecked] = useState<{ subject: PreflightSubject; result: PreflightResponse } | null>(null);
  const [problem, setProblem] = useState<ProblemText | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [applied, setApplied] = useState<ApplyResponse | null>(null);

  const current: PreflightSubject = { node, yaml, mode, tryTimeoutSeconds };
  const fresh = checked !== null && sameSubject(checked.subject, current);
  const rebootAvailable = checked?.result.rebootModeAvailable ?? rebootModeAllowed(talosVersion);

  const runPreflight = useMutation({
    mutationFn: (subject: PreflightSubject) =>
      preflight(subject.node, { yaml: subject.yaml, mode: subject.mode, tryTimeoutSeconds: subject.mode === "try" ? subject.tryTimeoutSeconds : undefined }).then((result) => ({ subject, result })),
    onMutate: () => {
      setProblem(null);
      setApplied(null);
    },
    onSuccess: (value) => setChecked(value),
    onError: (e) => {
      setChecked(null);
      setProblem(describeFailure(e, nodeLabel, "preflight on"));
    },
  });

  const runApply = useMutation({
    mutationFn: (subject: PreflightSubject) =>
      apply(subject.node, { yaml: subject.yaml, mode: subject.mode, tryTimeoutSeconds: subject.mode === "try" ? subject.tryTimeoutSeconds : undefined }),
    onMutate: () => setProblem(null),
    onSuccess: (result) => {
      setConfirming(false);
      setChecked(null);
      setApplied(result);
      void queryClient.invalidateQueries({ queryKey: pushKeys.revisions(node) });
      void queryClient.invalidateQueries({ queryKey: pushKeys.drift(node) });
      void queryClient.invalidateQueries({ queryKey: configKeys.node(node) });
      onApplied(result);
    },
    onError: (e) => {
      setConfirming(false);
      // The node's state is unknown after a failed apply: the old preflight vouches for nothing.
      setChecked(null);
      setProblem(describeFailure(e, nodeLabel, "apply to"));
    },
  });

  const blocker = applyBlocker({ validated, localErrors, preflight: checked, current, applying: runApply.isPending });
  const preflightBlocker = !validated ? "Checking the config…" : localErrors > 0 ? blocker : null;
  const result = checked?.result;
  const reboots = mode === "reboot" || (fresh && result?.reboots === true);
  const address = nodeLabel.split(" ")[0] ?? nodeLabel;

  return (
    <Card aria-labelledby={`${reasonId}-title`} role="region">
      <div className="flex flex-wrap items-center gap-2 border-b border-border px-4 py-2">
        <h2 id={`${reasonId}-title`} className="flex items-center gap-2 text-sm font-semibold">
          <Rocket aria-hidden className="size-4 text-fg-muted" /> Apply to {nodeLabel}
        </h2>
        <Link href={`/config/history?node=${encodeURIComponent(node)}`} className={buttonVariants({ variant: "ghost", size: "sm", className: "ml-auto" })}>
          <History aria-hidden className="size-4" /> History of {address}
        </Link>
      </div>
      <div className="grid gap-4 px-4 py-3 lg:grid-cols-[minmax(0,1fr)_auto]">
        <ModeChooser
          value={mode}
          onChange={setMode}
          modes={APPLY_MODES}
          rebootAvailable={rebootAvailable}
          tryTimeoutSeconds={tryTimeoutSeconds}
          onTryTimeoutChange={setTryTimeout}
          disabled={runApply.isPending}
        />
        <div className="flex flex-col gap-2 lg:w-72">
          <ol className="space-y-0.5 text-xs text-fg-muted">
            <li>1. The editor finds no errors.</li>
            <li>2. The node accepts the config in a dry run (preflight).</li>
            <li>3. You read the diff and apply.</li>
          </ol>
          <Button
            variant={fresh ? "secondary" : "primary"}
            onClick={() => runPreflight.mutate(current)}
            disabled={!!preflightBlocker || runPreflight.isPending || runApply.isPending}
            aria-describedby={preflightBlocker ? `${reasonId}-preflight` : undefined}
          >
            {runPreflight.isPending ? <LoaderCircle aria-hidden className="size-4 animate-spin motion-reduce:animate-none" /> : <ShieldCheck aria-hidden className="size-4" />}
            {runPreflight.isPending ? `Preflight on ${address}…` : `Run preflight on ${address}`}
          </Button>
          {preflightBlocker ? (
            <p id={`${reasonId}-preflight`} className="text-xs text-fg-muted">
              {preflightBlocker}
            </p>
          ) : null}
          <Button
            variant={reboots ? "danger" : "primary"}
            onClick={() => setConfirming(true)}
            disabled={blocker !== null}
            aria-describedby={`${reasonId}-apply`}
          >
            {runApply.isPending ? <LoaderCircle aria-hidden className="size-4 animate-spin motion-reduce:animate-none" /> : <Rocket aria-hidden className="size-4" />}
            {runApply.isPending ? `Applying to ${address}…` : `Apply to ${address}…`}
          </Button>
          <p id={`${reasonId}-apply`} className="text-xs text-fg-muted">
            {blocker ?? `Ready: ${MODE_LABEL[mode]} mode, ${result?.effect ?? ""}.`}
          </p>
        </div>
      </div>

      {problem ? (
        <div className="px-4 pb-3">
          <ProblemAlert problem={problem} />
        </div>
      ) : null}

      {applied ? (
        <p role="status" className="mx-4 mb-3 flex flex-wrap items-center gap-2 rounded-md border border-ok/40 bg-ok/10 px-3 py-2 text-sm">
          <CircleCheck aria-hidden className="size-4 shrink-0 text-ok" />
          <span className="font-semibold">Applied to {nodeLabel} as revision #{applied.revision.id}:</span>
          <span>{applied.effect}.</span>
          <Link className="underline" href={`/config/history?node=${encodeURIComponent(node)}`}>
            See the history
          </Link>
        </p>
      ) : null}

      {result ? <PreflightResult result={result} nodeLabel={nodeLabel} afterLabel="your config" plain={plain} stale={!fresh} /> : null}

      <ConfirmDialog
        open={confirming && fresh && !!result}
        title={reboots ? `Reboot ${nodeLabel} with this config?` : `Apply this config to ${nodeLabel}?`}
        confirmLabel={reboots ? `Apply and reboot ${address}` : `Apply to ${address}`}
        danger={reboots}
        busy={runApply.isPending}
        onCancel={() => setConfirming(false)}
        onConfirm={() => runApply.mutate(current)}
      >
        <p>
          <span className="font-semibold">Node:</span> {nodeLabel}
        </p>
        <p>
          <span className="font-semibold">Mode:</span> {MODE_LABEL[mode]}
          {result?.mode && result.mode !== mode ? ` (the node will use ${MODE_LABEL[result.mode]})` : ""}
        </p>
        <p>
          <span className="font-semibold">What will happen:</span> {result?.effect}
        </p>
        {mode === "try" ? <p>You will have {durationWords(tryTimeoutSeconds)} to keep it; otherwise the node goes back to its current config by itself.</p> : null}
        {reboots ? <p className="font-semibold text-danger">{nodeLabel} reboots: its workloads stop until it is back.</p> : null}
        <p className="text-fg-muted">Minos records this as a new revision in the node&apos;s history.</p>
      </ConfirmDialog>
    </Card>
  );
}
