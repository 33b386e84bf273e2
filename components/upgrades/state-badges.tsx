import {
  Ban,
  CircleCheck,
  CircleSlash,
  CircleX,
  Clock,
  Download,
  HardDriveDownload,
  HeartPulse,
  LoaderCircle,
  Hand,
  Pause,
  PackageMinus,
  RotateCw,
  type LucideIcon,
} from "lucide-react";

import { Badge } from "@/components/ui/badge";
import type { UpgradeNodeState, UpgradePlanState } from "@/lib/schemas/upgrades";

type Tone = "ok" | "warn" | "danger" | "info" | "neutral";
interface Look {
  tone: Tone;
  icon: LucideIcon;
  label: string;
  spin?: boolean;
}

export const nodeStateLook: Record<UpgradeNodeState, Look> = {
  pending: { tone: "neutral", icon: Clock, label: "Pending" },
  pulling: { tone: "info", icon: Download, label: "Pulling image" },
  installing: { tone: "info", icon: HardDriveDownload, label: "Installing" },
  draining: { tone: "info", icon: PackageMinus, label: "Draining" },
  "drain-blocked": { tone: "warn", icon: Hand, label: "Drain blocked" },
  rebooting: { tone: "warn", icon: RotateCw, label: "Rebooting", spin: true },
  "waiting-healthy": { tone: "info", icon: HeartPulse, label: "Health check" },
  done: { tone: "ok", icon: CircleCheck, label: "Done" },
  failed: { tone: "danger", icon: CircleX, label: "Failed" },
  skipped: { tone: "neutral", icon: CircleSlash, label: "Skipped" },
};

export const planStateLook: Record<UpgradePlanState, Look> = {
  pending: { tone: "neutral", icon: Clock, label: "Pending" },
  running: { tone: "info", icon: LoaderCircle, label: "Running", spin: true },
  paused: { tone: "warn", icon: Pause, label: "Paused" },
  cancelling: { tone: "warn", icon: Ban, label: "Cancelling" },
  cancelled: { tone: "neutral", icon: Ban, label: "Cancelled" },
  failed: { tone: "danger", icon: CircleX, label: "Failed" },
  succeeded: { tone: "ok", icon: CircleCheck, label: "Succeeded" },
};

function StateBadge({ look }: { look: Look }) {
  const Icon = look.icon;
  return (
    <Badge tone={look.tone} className="whitespace-nowrap">
      <Icon aria-hidden className={look.spin ? "size-3 animate-spin motion-reduce:animate-none" : "size-3"} />
      {look.label}
    </Badge>
  );
}

/** A node's upgrade state: icon and words, never colour alone. */
export function NodeStateBadge({ state }: { state: UpgradeNodeState }) {
  return <StateBadge look={nodeStateLook[state]} />;
}

/** A plan's state: icon and words, never colour alone. */
export function PlanStateBadge({ state }: { state: UpgradePlanState }) {
  return <StateBadge look={planStateLook[state]} />;
}
