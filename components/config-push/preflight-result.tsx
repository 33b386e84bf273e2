"use client";

import { CircleCheck, CircleX, KeyRound, TriangleAlert } from "lucide-react";

import type { PreflightResponse } from "@/lib/schemas/configs";

import { DiffView } from "./diff-view";
import type { ProblemText } from "./errors";
import { MODE_LABEL } from "./push-model";

/** A failure in words, with the validator's lines when there are any. */
export function ProblemAlert({ problem }: { problem: ProblemText }) {
  return (
    <div role="alert" className="rounded-md border border-danger/40 bg-danger/10 px-3 py-2 text-sm">
      <p className="flex items-center gap-2 font-semibold text-danger">
        <CircleX aria-hidden className="size-4 shrink-0" /> {problem.title}
      </p>
      <p className="mt-1 text-fg">{problem.detail}</p>
      {problem.lines.length ? (
        <ul className="mt-1 list-disc pl-6 font-mono text-xs text-fg">
          {problem.lines.map((l, i) => (
            <li key={i}>{l}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

interface PreflightResultProps {
  result: PreflightResponse;
  nodeLabel: string;
  /** Names of the diff's sides. */
  beforeLabel?: string;
  afterLabel?: string;
  plain?: boolean;
  /** The result no longer matches the text or mode (shown dimmed, with a note). */
  stale?: boolean;
}

/** The node's verdict, what will happen in plain words, warnings, and the redacted diff. */
export function PreflightResult({ result, nodeLabel, beforeLabel = "running on the node", afterLabel = "new config", plain, stale }: PreflightResultProps) {
  const modeNote = result.mode && result.mode !== result.requestedMode ? ` (${MODE_LABEL[result.requestedMode]} resolves to ${MODE_LABEL[result.mode]})` : "";
  return (
    <div className={stale ? "opacity-60" : undefined} aria-label="Preflight result" role="region">
      <div className="space-y-2 px-4 py-3">
        {stale ? (
          <p className="flex items-center gap-2 text-sm font-medium text-warn">
            <TriangleAlert aria-hidden className="size-4" /> Out of date: the config or mode changed since this preflight. Run it again.
          </p>
        ) : null}
        <p role="status" aria-label="Preflight verdict" className={`flex items-start gap-2 text-sm font-semibold ${result.ok ? "text-ok" : "text-danger"}`}>
          {result.ok ? <CircleCheck aria-hidden className="mt-0.5 size-4 shrink-0" /> : <CircleX aria-hidden className="mt-0.5 size-4 shrink-0" />}
          <span>
            {result.ok ? "Preflight passed" : "Preflight failed"} on {nodeLabel}: <span className="font-normal text-fg">{result.verdict}</span>
          </span>
        </p>
        {result.ok ? (
          <p className="text-sm">
            <span className="font-semibold">What will happen:</span> <span data-testid="preflight-effect">{result.unchanged ? "nothing: the node already runs this config" : result.effect}</span>
            <span className="text-fg-muted">{modeNote}</span>
            {result.reboots ? <span className="ml-2 font-semibold text-danger">The node will reboot.</span> : null}
          </p>
        ) : null}
        {result.warnings.length ? (
          <ul aria-label="Warnings" className="space-y-0.5 text-sm">
            {result.warnings.map((w, i) => (
              <li key={i} className="flex items-start gap-2 text-warn">
                <TriangleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
                <span className="text-fg">{w}</span>
              </li>
            ))}
          </ul>
        ) : null}
        {result.changedSecrets.length ? (
          <p className="flex items-start gap-2 text-sm">
            <KeyRound aria-hidden className="mt-0.5 size-4 shrink-0 text-warn" />
            <span>
              Secrets that change (shown redacted): <span className="font-mono text-xs">{result.changedSecrets.join(", ")}</span>
            </span>
          </p>
        ) : null}
      </div>
      {result.ok || result.diff ? (
        <DiffView
          label="Preflight diff"
          beforeLabel={beforeLabel}
          afterLabel={afterLabel}
          before={result.runningYaml}
          after={result.newYaml}
          unified={result.diff}
          plain={plain}
          className="border-t border-border"
        />
      ) : null}
    </div>
  );
}
