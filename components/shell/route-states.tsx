"use client";

// A client module on purpose, though nothing here needs the browser: with the segments' loading
// states as server components, the sidebar links' prefetches fetched each page's whole code, and
// the overview downloaded 332 KiB of JavaScript instead of 153 (issue 20's page-weight bench).

import { SearchX } from "lucide-react";
import Link from "next/link";

import { buttonVariants } from "@/components/ui/button";
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
