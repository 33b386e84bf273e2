"use client";

import { CircleAlert, TriangleAlert } from "lucide-react";

import type { ManifestIssue } from "@/lib/schemas/manifests";

/** The manifest's problems under the editor: line, message, and the nodes a render problem affects. */
export function ProblemsList({ issues, onSelect }: { issues: ManifestIssue[]; onSelect: (issue: ManifestIssue) => void }) {
  if (issues.length === 0) return null;
  return (
    <section aria-labelledby="manifest-problems" className="rounded-lg border border-border bg-surface">
      <h2 id="manifest-problems" className="border-b border-border px-3 py-2 text-sm font-semibold">
        Problems ({issues.length})
      </h2>
      <ul className="divide-y divide-border">
        {issues.map((i, k) => (
          <li key={k}>
            <button type="button" onClick={() => onSelect(i)} className="flex w-full items-start gap-2 px-3 py-2 text-left text-sm hover:bg-surface-muted">
              {i.severity === "error" ? <CircleAlert aria-hidden className="mt-0.5 size-4 shrink-0 text-danger" /> : <TriangleAlert aria-hidden className="mt-0.5 size-4 shrink-0 text-warn" />}
              <span className="shrink-0 font-mono text-xs text-fg-muted">Line {i.line}</span>
              <span className="min-w-0">
                {i.message}
                {i.nodes.length > 0 ? <span className="block text-xs text-fg-muted">Affects: {i.nodes.join(", ")}</span> : null}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
