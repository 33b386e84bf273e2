"use client";

import { AlertTriangle, RotateCw } from "lucide-react";
import { useEffect } from "react";

import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

// The one error boundary of the dashboard: no segment below has a layout of its own, so a boundary
// per segment would show the same thing in the same place, at the cost of a client chunk each
// (which every prefetched sidebar link downloaded).
export default function Error({ error, retry }: { error: unknown; retry: () => void }) {
  return <RouteError error={error} retry={retry} />;
}

/** What failed, and a retry. */
function RouteError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error instanceof Error && "digest" in error ? String((error as { digest?: string }).digest ?? "") : "";
  return (
    <EmptyState
      icon={AlertTriangle}
      title="This page failed to load"
      action={
        <Button variant="primary" onClick={() => retry()}>
          <RotateCw aria-hidden className="size-4" />
          Retry
        </Button>
      }
    >
      Minos hit an error while building this page. Nothing was changed on any node.
      {digest ? <span className="mt-1 block font-mono text-xs">Reference: {digest} (see the Minos server log)</span> : null}
    </EmptyState>
  );
}
