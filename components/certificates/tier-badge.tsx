import { CircleAlert, CircleCheck, Info, OctagonAlert } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import type { CertTier } from "@/lib/certs/tiers";

const look = {
  ok: { tone: "ok", icon: CircleCheck, label: "OK" },
  notice: { tone: "info", icon: Info, label: "Notice" },
  warning: { tone: "warn", icon: CircleAlert, label: "Warning" },
  critical: { tone: "danger", icon: OctagonAlert, label: "Critical" },
} as const;

/** A certificate's expiry tier, with an icon and a word so colour is never the only signal. */
export function TierBadge({ tier }: { tier: CertTier }) {
  const { tone, icon: Icon, label } = look[tier];
  return (
    <Badge tone={tone}>
      <Icon aria-hidden className="size-3" />
      {label}
    </Badge>
  );
}
