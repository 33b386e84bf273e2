"use client";

import { AlertTriangle, RotateCw } from "lucide-react";

import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

/** A fleet query that failed: what Minos said, and a retry. The rest of the page keeps working. */
export function QueryError({ what, error, retry }: { what: string; error: unknown; retry: () => void }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <EmptyState
      icon={AlertTriangle}
      title={`Could not load ${what}`}
      action={
        <Button variant="primary" onClick={retry}>
          <RotateCw aria-hidden className="size-4" />
          Retry
        </Button>
      }
    >
      <span role="alert">{message}</span>
    </EmptyState>
  );
}
