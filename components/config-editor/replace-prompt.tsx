import { AlertTriangle } from "lucide-react";

import { sourceLabel, type ConfigSource } from "@/components/config-editor/source";
import { Button } from "@/components/ui/button";

/** Asked before another source replaces edited text; the edits stay in this tab either way. */
export function ReplacePrompt({ next, currentLabel, onReplace, onKeep }: { next: ConfigSource; currentLabel: string; onReplace: () => void; onKeep: () => void }) {
  const nextLabel = sourceLabel(next);
  return (
    <div role="alertdialog" aria-labelledby="replace-title" aria-describedby="replace-desc" className="flex flex-wrap items-center gap-3 rounded-lg border border-warn/40 bg-warn/10 px-4 py-3 text-sm">
      <AlertTriangle aria-hidden className="size-5 shrink-0 text-warn" />
      <div className="min-w-0 flex-1">
        <p id="replace-title" className="font-semibold">
          Replace your edited config with {nextLabel}?
        </p>
        <p id="replace-desc" className="text-fg-muted">
          Your edits to {currentLabel} are not applied anywhere. This tab keeps them: open {currentLabel} again to get them back.
        </p>
      </div>
      <Button variant="primary" size="sm" onClick={onReplace}>
        Open {nextLabel}
      </Button>
      <Button size="sm" onClick={onKeep}>
        Keep editing
      </Button>
    </div>
  );
}
