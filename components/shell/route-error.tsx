"use client";

import { AlertTriangle, RotateCw } from "lucide-react";
import { useEffect } from "react";

import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

/** The error boundary body of every segment: what failed, and a retry. */
export function RouteError({ error, retry }: { error: unknown; retry: () => void }) {
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
