"use client";

import { useNow } from "@/lib/client/use-now";
import { formatAgo, formatUtc } from "@/lib/utils/time";

/** A past time as "42 s ago", with the exact UTC time in the tooltip and the markup. */
export function RelativeTime({ iso, className }: { iso: string; className?: string }) {
  const now = useNow();
  return (
    <time dateTime={iso} title={formatUtc(iso)} className={className}>
      {now === null ? formatUtc(iso) : formatAgo(iso, now)}
    </time>
  );
}
