"use client";

import { Columns2, FileDiff } from "lucide-react";
import dynamic from "next/dynamic";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";

import { diffStats } from "./diff-view-stats";

// Monaco touches `window` when imported: browser only, its own chunk.
const MonacoDiff = dynamic(() => import("./monaco-diff"), {
  ssr: false,
  loading: () => (
    <div className="flex h-full flex-col gap-2 p-4" aria-busy="true" aria-label="Loading the diff view">
      <Skeleton className="h-4 w-1/3" />
      <Skeleton className="h-4 w-1/2" />
      <Skeleton className="h-4 w-2/5" />
    </div>
  ),
});

interface DiffViewProps {
  /** The names of the two sides, e.g. "Running on the node" and "New (your edit)". */
  beforeLabel: string;
  afterLabel: string;
  before: string;
  after: string;
  /** The server's unified diff of the same two texts, for the text view and the counts. */
  unified: string;
  /** An accessible name for the region. */
  label: string;
  /** Start in the plain unified-text view (the plain-text editor's users). */
  plain?: boolean;
  className?: string;
}

/**
 * A config diff: Monaco's side-by-side view (before left, after right), or the unified text for
 * screen readers and small screens. Both texts are redacted by the server.
 */
export function DiffView({ beforeLabel, afterLabel, before, after, unified, label, plain = false, className }: DiffViewProps) {
  const [asText, setAsText] = useState(plain);
  const { added, removed } = diffStats(unified);
  return (
    <section aria-label={label} className={className}>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1 border-b border-border bg-surface-muted px-3 py-1.5 text-xs">
        <span className="font-medium">
          <span className="text-fg-muted">Left:</span> {beforeLabel}
        </span>
        <span className="font-medium">
          <span className="text-fg-muted">Right:</span> {afterLabel}
        </span>
        <span className="text-fg-muted" data-testid="diff-stats">
          {added === 0 && removed === 0 ? "no changes" : `${added} line${added === 1 ? "" : "s"} added, ${removed} removed`}
        </span>
        <Button size="xs" variant="ghost" className="ml-auto" aria-pressed={asText} onClick={() => setAsText(!asText)}>
          {asText ? <Columns2 aria-hidden className="size-3.5" /> : <FileDiff aria-hidden className="size-3.5" />}
          {asText ? "Side by side" : "Unified text"}
        </Button>
      </div>
      {asText ? (
        <UnifiedDiff text={unified} label={label} />
      ) : (
        // Unchanged stretches fold away, so a short diff needs far less than the full height.
        <div style={{ height: `min(60vh, ${Math.max(12, Math.min(added + removed, 40) * 2 + 10) * 19}px)` }}>
          <MonacoDiff original={before} modified={after} label={label} />
        </div>
      )}
    </section>
  );
}

/** The unified diff as text, each line marked in words for screen readers and by colour. */
export function UnifiedDiff({ text, label }: { text: string; label: string }) {
  if (!text.trim()) return <p className="px-3 py-4 text-sm text-fg-muted">No differences.</p>;
  return (
    <pre aria-label={`${label} (unified text)`} tabIndex={0} className="max-h-[45vh] overflow-auto px-3 py-2 font-mono text-xs leading-5">
      {text.split("\n").map((line, i) => {
        const kind = line.startsWith("+++") || line.startsWith("---") ? "head" : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : line.startsWith("@@") ? "hunk" : "same";
        const cls = kind === "add" ? "bg-ok/10 text-ok" : kind === "del" ? "bg-danger/10 text-danger" : kind === "hunk" ? "text-info" : kind === "head" ? "font-semibold text-fg-muted" : "";
        return (
          <div key={i} className={cls}>
            {kind === "add" ? <span className="sr-only">added: </span> : kind === "del" ? <span className="sr-only">removed: </span> : null}
            {line || " "}
          </div>
        );
      })}
    </pre>
  );
}
