import { Layers, X } from "lucide-react";

import type { MigrateOutcome } from "@/components/config-editor/editor-handle";
import { Button } from "@/components/ui/button";

/** A message with `code` spans (field names) shown as code instead of raw backticks. */
function WithCode({ text }: { text: string }) {
  return (
    <>
      {text.split("`").map((part, i) =>
        i % 2 === 1 ? (
          <code key={i} className="font-mono text-xs">
            {part}
          </code>
        ) : (
          part
        ),
      )}
    </>
  );
}

/** What "Migrate to 1.14" did: how many settings moved, and the ones left for the operator. */
export function MigrateReport({ outcome, onClose }: { outcome: MigrateOutcome; onClose: () => void }) {
  const moved = outcome.ok ? outcome.moved.length : 0;
  const decisions = outcome.ok ? outcome.decisions : [];
  const summary = !outcome.ok
    ? outcome.reason
    : moved === 0 && decisions.length === 0
      ? "Nothing to move: this config already uses the 1.14 layout."
      : `Moved ${moved} ${moved === 1 ? "setting" : "settings"} to the 1.14 layout.${
          decisions.length === 1 ? " 1 left as it was: it needs your decision." : decisions.length > 1 ? ` ${decisions.length} left as they were: they need your decision.` : ""
        }`;
  return (
    <div role="status" aria-label="Migration result" className="border-b border-border bg-surface-muted px-3 py-2 text-sm">
      <div className="flex items-start gap-2">
        <Layers aria-hidden className="mt-0.5 size-4 shrink-0 text-fg-muted" />
        <p className="flex-1">{summary}</p>
        <Button size="sm" variant="ghost" onClick={onClose} aria-label="Close the migration result">
          <X aria-hidden className="size-4" />
        </Button>
      </div>
      {decisions.length > 0 ? (
        <ul className="mt-1 list-disc space-y-1 pl-10">
          {decisions.map((d) => (
            <li key={d.path}>
              <code className="font-mono text-xs">{d.path}</code>: <WithCode text={d.message} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
