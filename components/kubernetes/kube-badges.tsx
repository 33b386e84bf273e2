import { CircleCheck, CircleHelp, CircleX, PauseCircle } from "lucide-react";

import { cordonLabel, kubeReadyLabels, kubeReadyState, kubeReadyTitle } from "@/components/kubernetes/kube-status";
import { Badge } from "@/components/ui/badge";
import type { NodeKubernetes } from "@/lib/schemas/kubernetes";

const readyLook = {
  ready: { tone: "ok", icon: CircleCheck },
  not_ready: { tone: "danger", icon: CircleX },
  unknown: { tone: "neutral", icon: CircleHelp },
} as const;

/** The Node's Ready condition as icon + text (never colour alone); the reason in the tooltip. */
export function KubeReadyBadge({ kubernetes }: { kubernetes: NodeKubernetes | undefined }) {
  const state = kubeReadyState(kubernetes);
  if (state === "untracked") return <span className="text-fg-muted">–</span>;
  const { tone, icon: Icon } = readyLook[state];
  return (
    <Badge tone={tone} title={kubeReadyTitle(kubernetes)}>
      <Icon aria-hidden className="size-3" />
      {kubeReadyLabels[state]}
    </Badge>
  );
}

/**
 * Cordoned or not. `compact` (the nodes table) shows only cordoned nodes, a dash for the others,
 * so the column reads at a glance; whether Minos cordoned it is in the text, not a colour.
 */
export function CordonBadge({ kubernetes, compact = false }: { kubernetes: NodeKubernetes | undefined; compact?: boolean }) {
  const label = cordonLabel(kubernetes);
  if (label === null) return <span className="text-fg-muted">{compact ? "–" : "unknown"}</span>;
  if (!kubernetes?.unschedulable) return compact ? <span className="text-fg-muted">–</span> : <span>{label}</span>;
  return (
    <Badge
      tone="warn"
      title={kubernetes.cordonedByMinos ? "Minos cordoned it and uncordons it after its reboot" : "Cordoned outside Minos (kubectl, Talos, …)"}
    >
      <PauseCircle aria-hidden className="size-3" />
      {compact ? (kubernetes.cordonedByMinos ? "By Minos" : "Yes") : label}
    </Badge>
  );
}
