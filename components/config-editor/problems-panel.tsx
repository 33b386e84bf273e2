"use client";

import { CircleCheck, CircleX, RotateCw, TriangleAlert } from "lucide-react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import type { ConfigIssue } from "@/lib/config/types";

interface ProblemsPanelProps {
  issues: ConfigIssue[];
  /** No result yet for this text (first validation still running). */
  loading: boolean;
  /** The validator itself failed. */
  error: string | null;
  talosVersion: string;
  onSelect: (issue: ConfigIssue) => void;
  onRetry: () => void;
}

function pathText(issue: ConfigIssue): string {
  return issue.path.map((p) => (typeof p === "number" ? `[${p}]` : p)).join(".").replace(/\.\[/g, "[");
}

/** Every issue lib/config found, errors first; selecting one jumps to its range in the editor. */
export function ProblemsPanel({ issues, loading, error, talosVersion, onSelect, onRetry }: ProblemsPanelProps) {
  const sorted = [...issues].sort((a, b) => (a.severity === b.severity ? a.line - b.line || a.column - b.column : a.severity === "error" ? -1 : 1));
  return (
    <Card className="flex min-h-0 flex-col">
      <h2 className="flex items-center gap-2 border-b border-border px-4 py-2 text-sm font-semibold">
        Problems
        {!loading && !error ? <span className="font-normal text-fg-muted">({issues.length})</span> : null}
      </h2>
      {error ? (
        <div role="alert" className="flex flex-wrap items-center gap-3 px-4 py-3 text-sm text-danger">
          <CircleX aria-hidden className="size-4 shrink-0" />
          <span>
            <strong>The validator failed</strong>, so nothing below is checked: {error}
          </span>
          <Button size="sm" onClick={onRetry}>
            <RotateCw aria-hidden className="size-4" />
            Validate again
          </Button>
        </div>
      ) : loading ? (
        <div aria-busy="true" aria-label="Checking the config" className="space-y-2 px-4 py-3">
          <Skeleton className="h-4 w-2/3" />
          <Skeleton className="h-4 w-1/2" />
        </div>
      ) : sorted.length === 0 ? (
        <p className="flex items-center gap-2 px-4 py-3 text-sm text-fg-muted">
          <CircleCheck aria-hidden className="size-4 shrink-0 text-ok" />
          No problems: this config passes Minos&apos;s checks for Talos {talosVersion}.
        </p>
      ) : (
        <ul aria-label="Problems" className="max-h-64 overflow-y-auto py-1">
          {sorted.map((issue, i) => {
            const Icon = issue.severity === "error" ? CircleX : TriangleAlert;
            const path = pathText(issue);
            return (
              <li key={`${issue.line}:${issue.column}:${i}`}>
                <button
                  type="button"
                  onClick={() => onSelect(issue)}
                  className="flex w-full items-start gap-3 px-4 py-1.5 text-left text-sm hover:bg-surface-muted focus-visible:bg-surface-muted focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-accent"
                >
                  <span className={`flex w-20 shrink-0 items-center gap-1.5 font-medium ${issue.severity === "error" ? "text-danger" : "text-warn"}`}>
                    <Icon aria-hidden className="size-4 shrink-0" />
                    {issue.severity === "error" ? "Error" : "Warning"}
                  </span>
                  <span className="min-w-0 flex-1">
                    <span className="block break-words">{issue.message}</span>
                    {path ? <span className="block truncate font-mono text-xs text-fg-muted">{path}</span> : null}
                  </span>
                  <span className="shrink-0 font-mono text-xs text-fg-muted">
                    Ln {issue.line}, Col {issue.column}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
