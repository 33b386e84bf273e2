import { ArrowUpCircle, Database } from "lucide-react";
import Link from "next/link";

import { compareVersionStrings } from "@/lib/talos/version";
import { ClusterStatusBadge, QuorumBadge } from "@/components/fleet/cluster-health-badge";
import { ClusterKubernetesSummary } from "@/components/kubernetes/cluster-kubernetes";
import type { ClusterKubeCounts } from "@/components/kubernetes/kube-cluster-status";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Meter } from "@/components/ui/meter";
import type { ClusterHealth } from "@/lib/schemas/fleet";

function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** One cluster at a glance: node health bar, etcd quorum, versions in use, upgrade in flight, Kubernetes. */
export function ClusterCard({ cluster, kubeCounts }: { cluster: ClusterHealth; kubeCounts?: ClusterKubeCounts }) {
  const { total, healthy, unreachable } = cluster.nodes;
  const unwell = Math.max(0, total - healthy - unreachable);
  const versions = Object.entries(cluster.versions).sort(([a], [b]) => compareVersionStrings(a, b));
  const nodesHref = `/nodes?cluster=${encodeURIComponent(cluster.name)}`;
  return (
    // A container: alone on the page the card is wide, and its sections sit side by side.
    <Card className="@container p-5" role="region" aria-label={`Cluster ${cluster.name}`}>
      <div className="flex flex-col gap-4">
        <div className="flex items-start justify-between gap-3">
          <h2 className="text-lg font-semibold">
            <Link href={nodesHref} className="hover:underline">
              {cluster.name}
            </Link>
          </h2>
          <ClusterStatusBadge status={cluster.status} />
        </div>

        <div className="grid gap-4 @2xl:grid-cols-[1.2fr_1fr_1fr] @2xl:gap-6">
          <div className="space-y-2">
            <p className="flex items-baseline gap-2">
              <span className="text-3xl font-semibold tabular-nums" data-testid="healthy-count">
                {healthy}/{total}
              </span>
              <span className="text-sm text-fg-muted">nodes healthy</span>
            </p>
            <Meter
              label={`${healthy} of ${total} nodes healthy, ${unwell} with problems, ${unreachable} offline`}
              segments={[
                { label: "Healthy", value: healthy, className: "bg-ok" },
                { label: "With problems", value: unwell, className: "bg-warn" },
                { label: "Offline", value: unreachable, className: "bg-danger" },
              ]}
            />
            {unreachable > 0 || unwell > 0 ? (
              <p className="text-sm">
                {unreachable > 0 ? <span className="font-medium text-danger">{plural(unreachable, "node")} offline</span> : null}
                {unreachable > 0 && unwell > 0 ? <span className="text-fg-muted"> · </span> : null}
                {unwell > 0 ? <span className="font-medium text-warn">{plural(unwell, "node")} with problems</span> : null}
              </p>
            ) : null}
          </div>

          <div className="space-y-1 border-t border-border pt-3 text-sm @2xl:border-t-0 @2xl:border-l @2xl:pt-0 @2xl:pl-6">
            <div className="flex flex-wrap items-center gap-2">
              <Database aria-hidden className="size-4 text-fg-muted" />
              <span className="font-medium">etcd</span>
              {cluster.etcd ? <QuorumBadge quorum={cluster.etcd.quorum} /> : <Badge>Unknown</Badge>}
            </div>
            {cluster.etcd ? (
              <p className="text-fg-muted">
                {cluster.etcd.healthy}/{cluster.etcd.members} members healthy ·{" "}
                {cluster.etcd.quorum === "lost" ? (
                  "writes are blocked until members return"
                ) : (
                  <>
                    can lose{" "}
                    {cluster.etcd.canTolerate === 0 ? <strong className="text-warn">no member</strong> : plural(cluster.etcd.canTolerate, "more member")}
                  </>
                )}
                {cluster.etcd.leader ? <> · leader {cluster.etcd.leader}</> : " · no leader"}
              </p>
            ) : (
              <p className="text-fg-muted">No control plane answered with etcd status.</p>
            )}
          </div>

          <div className="space-y-3 border-t border-border pt-3 text-sm @2xl:border-t-0 @2xl:border-l @2xl:pt-0 @2xl:pl-6">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-medium">Talos</span>
              {versions.length === 0 ? <span className="text-fg-muted">version unknown</span> : null}
              {versions.map(([version, count]) => (
                <Badge key={version} tone={versions.length > 1 ? "info" : "neutral"} className="font-mono">
                  {version} × {count}
                </Badge>
              ))}
              {versions.length > 1 ? <span className="text-xs text-fg-muted">mixed versions</span> : null}
            </div>

            {cluster.upgrade === null ? (
              <p className="flex items-center gap-2 text-fg-muted">
                <ArrowUpCircle aria-hidden className="size-4" />
                No upgrade in progress
              </p>
            ) : (
              <Link href={`/upgrades/${encodeURIComponent(cluster.upgrade.planId)}`} className="flex items-center gap-2 font-medium text-info hover:underline">
                <ArrowUpCircle aria-hidden className="size-4" />
                {cluster.upgrade.state === "paused" ? "Upgrade paused" : "Upgrading"} {cluster.upgrade.done}/{cluster.upgrade.total}
              </Link>
            )}
          </div>
        </div>

        {cluster.kubernetes ? (
          <div className="border-t border-border pt-3">
            <ClusterKubernetesSummary cluster={cluster.name} kubernetes={cluster.kubernetes} notReady={kubeCounts?.notReady ?? 0} cordoned={kubeCounts?.cordoned ?? 0} />
          </div>
        ) : null}
      </div>
    </Card>
  );
}
