"use client";

import { useQuery } from "@tanstack/react-query";

import { backupDetailQueryOptions } from "@/lib/client/backups";

/** The recovery steps for one backup, as the server writes them for its file and cluster. */
export function RestoreGuide({ id }: { id: string }) {
  const q = useQuery(backupDetailQueryOptions(id));
  if (q.isPending) return <p className="text-sm text-fg-muted">Loading the restore guide…</p>;
  if (q.isError) return <p role="alert" className="text-sm text-danger">Could not load the restore guide: {q.error.message}</p>;
  return (
    <ol aria-label="Restore guide" className="list-decimal space-y-3 pl-5 text-sm">
      {q.data.restoreGuide.map((step) => (
        <li key={step.title}>
          <p className="font-medium">{step.title}</p>
          <p className="text-fg-muted">{step.text}</p>
          {step.commands.length > 0 ? (
            <pre className="mt-1 overflow-x-auto rounded-md bg-surface-muted p-2 font-mono text-xs">{step.commands.join("\n")}</pre>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
