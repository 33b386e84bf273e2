"use client";

import dynamic from "next/dynamic";

import { Skeleton } from "@/components/ui/skeleton";

// Monaco touches `window` when imported: browser only, its own chunk.
export const ManifestEditor = dynamic(() => import("./manifest-monaco"), {
  ssr: false,
  loading: () => (
    <div className="flex h-full flex-col gap-2 p-4" aria-busy="true" aria-label="Loading the editor">
      <Skeleton className="h-4 w-1/3" />
      <Skeleton className="h-4 w-1/2" />
      <Skeleton className="h-4 w-2/5" />
    </div>
  ),
});
