import { CircleCheck, CircleHelp, OctagonAlert, TriangleAlert, type LucideIcon } from "lucide-react";

import { Badge, type BadgeProps } from "@/components/ui/badge";
import type { ClusterHealth, EtcdQuorum } from "@/lib/schemas/fleet";

const clusterLook: Record<ClusterHealth["status"], { tone: NonNullable<BadgeProps["tone"]>; icon: LucideIcon; label: string }> = {
  healthy: { tone: "ok", icon: CircleCheck, label: "Healthy" },
  degraded: { tone: "warn", icon: TriangleAlert, label: "Degraded" },
  critical: { tone: "danger", icon: OctagonAlert, label: "Critical" },
  unknown: { tone: "neutral", icon: CircleHelp, label: "Not polled yet" },
};

export function ClusterStatusBadge({ status }: { status: ClusterHealth["status"] }) {
  const { tone, icon: Icon, label } = clusterLook[status];
  return (
    <Badge tone={tone}>
      <Icon aria-hidden className="size-3" />
      {label}
    </Badge>
  );
}

const quorumLook: Record<EtcdQuorum, { tone: NonNullable<BadgeProps["tone"]>; icon: LucideIcon; label: string }> = {
  ok: { tone: "ok", icon: CircleCheck, label: "Quorum ok" },
  degraded: { tone: "warn", icon: TriangleAlert, label: "Quorum at risk" },
  lost: { tone: "danger", icon: OctagonAlert, label: "Quorum lost" },
};

export function QuorumBadge({ quorum }: { quorum: EtcdQuorum }) {
  const { tone, icon: Icon, label } = quorumLook[quorum];
  return (
    <Badge tone={tone}>
      <Icon aria-hidden className="size-3" />
      {label}
    </Badge>
  );
}
