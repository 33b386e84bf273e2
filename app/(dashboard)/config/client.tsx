"use client";

import { useSyncExternalStore } from "react";

import { sourceKey, type ConfigSource } from "@/components/config-editor/source";
import { Workspace } from "@/components/config-editor/workspace";
import { Skeleton } from "@/components/ui/skeleton";

const noop = () => () => {};
/** False during the server render and hydration, true after: drafts live in sessionStorage. */
function useIsClient(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}

export function ConfigClient({ initialSource, cluster }: { initialSource: ConfigSource; cluster: string | null }) {
  const isClient = useIsClient();
  if (!isClient) return <WorkspaceSkeleton />;
  // A navigation to another source (sidebar, back button) starts afresh; drafts are in storage.
  return <Workspace key={sourceKey(initialSource)} initialSource={initialSource} cluster={cluster} />;
}

function WorkspaceSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading the config editor" className="space-y-4">
      <Skeleton className="h-14" />
      <Skeleton className="h-[60vh] min-h-80" />
      <Skeleton className="h-24" />
    </div>
  );
}
