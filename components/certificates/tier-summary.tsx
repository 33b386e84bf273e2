import { CircleAlert, CircleCheck, Info, OctagonAlert } from "lucide-react";

import type { CertTier, TierCounts } from "@/lib/schemas/certs";
import { cn } from "@/lib/utils/cn";

const CARDS = [
  { tier: "critical", label: "Critical", icon: OctagonAlert, tone: "text-danger", hint: "expired, or renew now" },
  { tier: "warning", label: "Warning", icon: CircleAlert, tone: "text-warn", hint: "renew this week" },
  { tier: "notice", label: "Notice", icon: Info, tone: "text-info", hint: "plan the renewal" },
  { tier: "ok", label: "OK", icon: CircleCheck, tone: "text-ok", hint: "nothing to do" },
] as const;

/** Certificates per tier; each card toggles the tier filter. */
export function TierSummary({ counts, selected, onSelect }: { counts: TierCounts; selected: CertTier | null; onSelect: (tier: CertTier | null) => void }) {
  return (
    <div role="group" aria-label="Certificates per tier" className="grid grid-cols-2 gap-3 md:grid-cols-4">
      {CARDS.map(({ tier, label, icon: Icon, tone, hint }) => {
        const active = selected === tier;
        return (
          <button
            key={tier}
            type="button"
            aria-pressed={active}
            onClick={() => onSelect(active ? null : tier)}
            className={cn(
              "flex items-center gap-3 rounded-lg border bg-surface px-4 py-3 text-left transition-colors hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-accent",
              active ? "border-accent ring-1 ring-accent" : "border-border",
            )}
          >
            <Icon aria-hidden className={cn("size-6 shrink-0", counts[tier] > 0 ? tone : "text-fg-muted")} />
            <span>
              <span className="block text-2xl font-semibold tabular-nums leading-tight">{counts[tier]}</span>
              <span className="block text-sm">
                {label} <span className="text-fg-muted">· {hint}</span>
              </span>
            </span>
          </button>
        );
      })}
    </div>
  );
}
