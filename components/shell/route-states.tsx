"use client";

import { AlertTriangle, RotateCw, SearchX } from "lucide-react";
import Link from "next/link";
import { useEffect } from "react";

import { Button, buttonVariants } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";

/** The skeleton every segment shows while its server component loads. */
export function PageSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading" className="space-y-6">
      <div className="space-y-2">
        <Skeleton className="h-7 w-48" />
        <Skeleton className="h-4 w-80" />
      </div>
      <div className="grid gap-4 md:grid-cols-3">
        <Skeleton className="h-28" />
        <Skeleton className="h-28" />
        <Skeleton className="h-28" />
      </div>
      <Skeleton className="h-64" />
    </div>
  );
}

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

export function RouteNotFound({ what = "page" }: { what?: string }) {
  return (
    <EmptyState
      icon={SearchX}
      title={`No such ${what}`}
      action={
        <Link href="/" className={buttonVariants({ variant: "primary" })}>
          Back to the overview
        </Link>
      }
    >
      The address does not match anything Minos knows. Check the link, or pick a page from the sidebar.
    </EmptyState>
  );
}
