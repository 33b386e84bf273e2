"use client";

import dynamic from "next/dynamic";

import { Skeleton } from "@/components/ui/skeleton";

import type { EditorProps } from "./editor-handle";
import { TextareaFallback } from "./textarea-fallback";

// Monaco touches `window` when imported, so it is loaded in the browser only, as its own chunk.
const MonacoView = dynamic(() => import("./monaco-view"), {
  ssr: false,
  loading: () => (
    <div className="flex h-full flex-col gap-2 p-4" aria-busy="true" aria-label="Loading the editor">
      <Skeleton className="h-4 w-1/3" />
      <Skeleton className="h-4 w-1/2" />
      <Skeleton className="h-4 w-2/5" />
      <Skeleton className="h-4 w-1/4" />
    </div>
  ),
});

/** The manifest editor: Monaco, or a plain textarea for screen readers and constrained browsers. */
export function ConfigEditor({ plain, ...props }: EditorProps & { plain: boolean }) {
  return plain ? <TextareaFallback {...props} /> : <MonacoView {...props} />;
}
