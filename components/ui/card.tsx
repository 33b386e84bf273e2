import type { HTMLAttributes } from "react";

import { cn } from "@/lib/utils/cn";

/** `tone="danger"`: a card about something broken (a failing channel, scan errors). */
export function Card({ className, tone, ...props }: HTMLAttributes<HTMLDivElement> & { tone?: "danger" }) {
  return <div className={cn("rounded-lg border bg-surface", tone === "danger" ? "border-danger/50" : "border-border", className)} {...props} />;
}
