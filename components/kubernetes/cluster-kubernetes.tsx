import { CircleAlert, CircleCheck, CircleHelp, CircleX, ShipWheel, TriangleAlert } from "lucide-react";
import Link from "next/link";

import { compareVersionStrings } from "@/lib/talos/version";
import { RelativeTime } from "@/components/ui/relative-time";
import { accessProblem, skewText } from "@/components/kubernetes/kube-cluster-status";
import { Badge } from "@/components/ui/badge";
import type { ClusterKubernetes } from "@/lib/schemas/kubernetes";
import { cn } from "@/lib/utils/cn";

const toneLook = {
  ok: { icon: CircleCheck, className: "text-ok" },
  warn: { icon: TriangleAlert, className: "text-warn" },
  danger: { icon: CircleX, className: "text-danger" },
  neutral: { icon: CircleHelp, className: "text-fg-muted" },
} as const;

interface ClusterKubernetesSummaryProps {
  cluster: string;
  kubernetes: ClusterKubernetes;
  /** Nodes whose Ready condition is not True, and cordoned nodes (from the nodes list). */
  notReady: number;
  cordoned: number;
}

/**
 * A cluster's Kubernetes at a glance: the API server's version, kubelet versions and their skew,
 * and when Kubernetes cannot be asked, why (with the way out: upload a kubeconfig).
 */
export function ClusterKubernetesSummary({ cluster, kubernetes: k, notReady, cordoned }: ClusterKubernetesSummaryProps) {
  const problem = accessProblem(k);
  const kubelets = Object.entries(k.kubeletVersions).sort(([a], [b]) => compareVersionStrings(a, b));
  const skew = skewText(k);
  const { icon: SkewIcon, className: skewClass } = toneLook[skew.tone];
  const nodesHref = (filter: string) => `/nodes?${new URLSearchParams({ cluster, k8s: filter })}`;
  return (
    <div role="group" aria-label={`Kubernetes of ${cluster}`} className="space-y-2 text-sm">
      <div className="flex flex-wrap items-center gap-2">
        <ShipWheel aria-hidden className="size-4 text-fg-muted" />
        <span className="font-medium">Kubernetes</span>
        {k.controlPlaneVersion ? (
          <Badge className="font-mono" title="The API server's version">
            {k.controlPlaneVersion}
          </Badge>
        ) : null}
        {kubelets.length > 0 ? <span className="text-xs text-fg-muted">kubelets</span> : null}
        {kubelets.map(([version, count]) => (
          <Badge key={version} tone={kubelets.length > 1 ? "info" : "neutral"} className="font-mono">
            {version} × {count}
          </Badge>
        ))}
        {k.checkedAt ? (
          <span className="ml-auto text-xs text-fg-muted">
            checked <RelativeTime iso={k.checkedAt} />
          </span>
        ) : null}
      </div>
      {problem ? (
        <p
          role="status"
          className={cn("flex items-start gap-2", problem.tone === "danger" ? "text-danger" : problem.tone === "warn" ? "text-warn" : "text-fg-muted")}
        >
          <CircleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
          <span>
            <strong className="font-medium">{problem.title}</strong>
            {problem.detail ? <span className="text-fg-muted"> · {problem.detail}</span> : null}
            {k.access === "no-credentials" ? (
              <>
                {" "}
                <Link href="/clusters#kubernetes-access" className="text-accent underline underline-offset-2">
                  Kubernetes access
                </Link>
              </>
            ) : null}
          </span>
        </p>
      ) : (
        <p className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <span className={cn("flex items-center gap-1", skewClass)}>
            <SkewIcon aria-hidden className="size-4" />
            {skew.text}
          </span>
          {notReady > 0 ? (
            <Link href={nodesHref("not_ready")} className="font-medium text-danger hover:underline">
              {notReady} {notReady === 1 ? "node" : "nodes"} not Ready in Kubernetes
            </Link>
          ) : null}
          {cordoned > 0 ? (
            <Link href={nodesHref("cordoned")} className="font-medium text-warn hover:underline">
              {cordoned} cordoned
            </Link>
          ) : null}
          {/* Read, but not all of it (a pod listing stopped at its cap): the server says what is missing. */}
          {k.message ? <span className="text-warn">{k.message}</span> : null}
        </p>
      )}
    </div>
  );
}
