import { cn } from "@/lib/utils/cn";

export interface MeterSegment {
  value: number;
  /** A Tailwind background class from the theme tokens, e.g. "bg-ok". */
  className: string;
  label: string;
}

/**
 * A horizontal bar split into segments proportional to their values. The bar is decoration:
 * callers show the same numbers as text beside it, and `label` names it for screen readers.
 */
export function Meter({ segments, label, className }: { segments: MeterSegment[]; label: string; className?: string }) {
  const total = segments.reduce((sum, s) => sum + s.value, 0);
  return (
    <div role="img" aria-label={label} className={cn("flex h-2.5 w-full overflow-hidden rounded-full bg-surface-muted", className)}>
      {total > 0
        ? segments
            .filter((s) => s.value > 0)
            .map((s) => (
              <div key={s.label} title={`${s.label}: ${s.value}`} className={cn("h-full", s.className)} style={{ width: `${(s.value / total) * 100}%` }} />
            ))
        : null}
    </div>
  );
}
