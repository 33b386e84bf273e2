import { CircleAlert, CircleCheck, LoaderCircle, OctagonAlert, Unplug, type LucideIcon } from "lucide-react";

import { nodeStatus, statusLabel, type NodeStatus } from "@/components/fleet/node-status";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import type { NodeSummary } from "@/lib/schemas/fleet";

export const statusLook: Record<NodeStatus, { tone: NonNullable<BadgeProps["tone"]>; icon: LucideIcon }> = {
  offline: { tone: "danger", icon: Unplug },
  critical: { tone: "danger", icon: OctagonAlert },
  transition: { tone: "info", icon: LoaderCircle },
  not_ready: { tone: "warn", icon: CircleAlert },
  warning: { tone: "warn", icon: CircleAlert },
  healthy: { tone: "ok", icon: CircleCheck },
};

/** A node's state as icon + word ("Offline", "Rebooting", "Healthy"), never colour alone. */
export function NodeStatusBadge({ node, className }: { node: NodeSummary; className?: string }) {
  const status = nodeStatus(node);
  const { tone, icon: Icon } = statusLook[status];
  return (
    <Badge tone={tone} className={className} data-status={status}>
      <Icon aria-hidden className="size-3" />
      {statusLabel(node, status)}
    </Badge>
  );
}
