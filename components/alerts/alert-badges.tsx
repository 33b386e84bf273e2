import { BellOff, CheckCheck, CircleCheck, Clock, Info, OctagonAlert, TriangleAlert } from "lucide-react";

import { SEVERITY_LABEL } from "@/components/alerts/words";
import { Badge } from "@/components/ui/badge";
import type { Alert, AlertSeverity } from "@/lib/schemas/alerts";

const SEVERITY_LOOK = {
  critical: { tone: "danger", icon: OctagonAlert },
  warning: { tone: "warn", icon: TriangleAlert },
  info: { tone: "info", icon: Info },
} as const;

/** A severity as icon and word (never colour alone). */
export function SeverityBadge({ severity }: { severity: AlertSeverity }) {
  const { tone, icon: Icon } = SEVERITY_LOOK[severity];
  return (
    <Badge tone={tone}>
      <Icon aria-hidden className="size-3" />
      {SEVERITY_LABEL[severity]}
    </Badge>
  );
}

/** Firing, pending or resolved, with the acknowledged and silenced marks beside it. */
export function AlertStateBadges({ alert: a }: { alert: Alert }) {
  return (
    <span className="flex flex-wrap items-center gap-1">
      {a.status === "firing" ? (
        <Badge tone="danger">
          <OctagonAlert aria-hidden className="size-3" />
          Firing
        </Badge>
      ) : a.status === "pending" ? (
        <Badge tone="warn" title="The condition holds, but not yet for the rule's duration: nobody was notified">
          <Clock aria-hidden className="size-3" />
          Pending
        </Badge>
      ) : (
        <Badge tone="ok">
          <CircleCheck aria-hidden className="size-3" />
          Resolved
        </Badge>
      )}
      {a.acknowledgedBy ? (
        <Badge title={`Acknowledged by ${a.acknowledgedBy}${a.acknowledgedAt ? ` at ${a.acknowledgedAt}` : ""}: no more re-notifications`}>
          <CheckCheck aria-hidden className="size-3" />
          Acked by {a.acknowledgedBy}
        </Badge>
      ) : null}
      {a.silencedBy ? (
        <Badge title="A silence keeps this alert quiet: no notification is sent">
          <BellOff aria-hidden className="size-3" />
          Silenced
        </Badge>
      ) : null}
    </span>
  );
}
