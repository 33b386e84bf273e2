import { AlertTriangle, FilePlus2, RotateCw } from "lucide-react";
import type { ReactNode } from "react";

import type { ConfigSource } from "@/components/config-editor/source";
import type { BodyView } from "@/components/config-editor/workspace-model";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";

interface WorkspaceBodyProps {
  view: BodyView;
  source: ConfigSource;
  label: string;
  /** The editor itself, shown in the `editor` view. */
  editor: ReactNode;
  onRetry: () => void;
  onTemplate: () => void;
}

/** The editor area: the editor, why the source's text cannot be shown, or that it is on its way. */
export function WorkspaceBody({ view, source, label, editor, onRetry, onTemplate }: WorkspaceBodyProps) {
  switch (view.kind) {
    case "editor":
      return editor;
    case "fetch-failed":
      return (
        <SourceProblem
          title={source.kind === "node" ? `Cannot read the running config of ${label}` : "Cannot create a config from the template"}
          message={view.message}
          onRetry={onRetry}
          onTemplate={source.kind === "node" ? onTemplate : undefined}
        />
      );
    case "file-gone":
      return (
        <SourceProblem
          title={`${label} is no longer open in this tab`}
          message="Uploaded files live only in the browser tab that opened them. Upload it again, or start from a template."
          onTemplate={onTemplate}
        />
      );
    case "loading":
      return (
        <div aria-busy="true" className="space-y-2 p-4">
          <p className="text-sm text-fg-muted">{source.kind === "node" ? `Reading the running config of ${label}…` : `Generating a ${label}…`}</p>
          <Skeleton className="h-4 w-1/3" />
          <Skeleton className="h-4 w-1/2" />
          <Skeleton className="h-4 w-2/5" />
        </div>
      );
  }
}

function SourceProblem({ title, message, onRetry, onTemplate }: { title: string; message: string; onRetry?: () => void; onTemplate?: () => void }) {
  return (
    <div role="alert" className="flex h-full flex-col items-center justify-center gap-3 px-6 text-center">
      <AlertTriangle aria-hidden className="size-10 text-danger" strokeWidth={1.5} />
      <h3 className="text-base font-semibold">{title}</h3>
      <p className="max-w-lg text-sm text-fg-muted">{message}</p>
      <div className="flex gap-2">
        {onRetry ? (
          <Button variant="primary" onClick={onRetry}>
            <RotateCw aria-hidden className="size-4" /> Retry
          </Button>
        ) : null}
        {onTemplate ? (
          <Button onClick={onTemplate}>
            <FilePlus2 aria-hidden className="size-4" /> Start from a template instead
          </Button>
        ) : null}
      </div>
    </div>
  );
}
