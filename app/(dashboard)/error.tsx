"use client";

import { RouteError } from "@/components/shell/route-error";

// The one error boundary of the dashboard: no segment below has a layout of its own, so a boundary
// per segment would show the same thing in the same place, at the cost of a client chunk each
// (which every prefetched sidebar link downloaded).
export default function Error({ error, retry }: { error: unknown; retry: () => void }) {
  return <RouteError error={error} retry={retry} />;
}
