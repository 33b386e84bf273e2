"use client";

import { useQuery } from "@tanstack/react-query";
import { CircleCheck, CircleHelp, OctagonAlert, Server, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { Suspense, use } from "react";

import { OverviewAlerts } from "@/components/alerts/alert-summary";
import { CertExpiryCard, CertExpirySkeleton, daysText, type CertResult } from "@/components/fleet/cert-expiry";
import { ClusterCard } from "@/components/fleet/cluster-card";
import { fleetHeadline } from "@/components/fleet/fleet-headline";
import { LiveIndicator } from "@/components/fleet/live-indicator";
import { nodeProblemRows, ProblemItem, ProblemList, type ProblemRow } from "@/components/fleet/problem-list";
import { QueryError } from "@/components/fleet/query-error";
import { kubeCountsByCluster } from "@/components/kubernetes/kube-cluster-status";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { nodesQueryOptions } from "@/lib/client/fleet";
import { useEventStream } from "@/lib/client/use-event-stream";
import type { NearestExpiry } from "@/lib/schemas/certs";
import { cn } from "@/lib/utils/cn";

interface OverviewClientProps {
  /** The header's cluster selection, or null for every cluster. */
  cluster: string | null;
  /** Streams in after the page: the first certificate scan can take a few seconds. */
  nearestExpiry: Promise<CertResult<NearestExpiry>>;
}

const headlineLook = {
  ok: { icon: CircleCheck, className: "border-ok/30 bg-ok/10 text-ok" },
  warn: { icon: TriangleAlert, className: "border-warn/30 bg-warn/10 text-warn" },
  danger: { icon: OctagonAlert, className: "border-danger/30 bg-danger/10 text-danger" },
  neutral: { icon: CircleHelp, className: "border-border bg-surface text-fg-muted" },
} as const;

export function OverviewClient({ cluster, nearestExpiry }: OverviewClientProps) {
  const stream = useEventStream();
  // One list for every cluster (the SSE stream keeps it live); the header's selection filters it here.
  const query = useQuery(nodesQueryOptions());

  if (query.isPending) return <OverviewSkeleton />;
  if (query.isError) return <QueryError what="the fleet's health" error={query.error} retry={() => void query.refetch()} />;

  const { updatedAt } = query.data;
  const nodes = cluster ? query.data.nodes.filter((n) => n.cluster === cluster) : query.data.nodes;
  const clusters = cluster ? query.data.clusters.filter((c) => c.name === cluster) : query.data.clusters;

  if (clusters.length === 0) {
    return (
      <EmptyState icon={Server} title={cluster ? `No cluster named "${cluster}"` : "No clusters"}>
        {cluster
          ? "Pick another cluster in the header, or all clusters."
          : "Minos found no cluster to watch: add a context with endpoints and nodes to your talosconfig."}
      </EmptyState>
    );
  }

  const headline = fleetHeadline(nodes, clusters);
  const { icon: HeadlineIcon, className: headlineClass } = headlineLook[headline.tone];
  const rows = nodeProblemRows(nodes);
  const kubeCounts = kubeCountsByCluster(nodes);
  const problemsHref = `/nodes?${new URLSearchParams({ ...(cluster ? { cluster } : {}), problem: "any" })}`;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div role="status" aria-label="Fleet status" className={cn("flex items-center gap-3 rounded-lg border px-4 py-3", headlineClass)}>
          <HeadlineIcon aria-hidden className="size-6 shrink-0" />
          <span className="text-lg font-semibold">{headline.title}</span>
          <span className="text-sm text-fg-muted">
            in {clusters.length} {clusters.length === 1 ? "cluster" : "clusters"}
          </span>
        </div>
        <LiveIndicator status={stream} updatedAt={updatedAt} />
      </div>

      <div className="grid items-start gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <section aria-labelledby="clusters-heading" className="space-y-3">
            <div className="flex items-baseline justify-between gap-2">
              <h2 id="clusters-heading" className="text-base font-semibold">
                Clusters
              </h2>
              <Link href="/clusters" className="text-sm text-accent hover:underline">
                Manage clusters
              </Link>
            </div>
            <div className={cn("grid gap-4", clusters.length > 1 && "md:grid-cols-2")}>
              {clusters.map((c) => (
                <ClusterCard key={c.name} cluster={c} kubeCounts={kubeCounts.get(c.name)} />
              ))}
            </div>
          </section>

          <section aria-labelledby="problems-heading" className="space-y-3">
            <div className="flex items-baseline justify-between gap-2">
              <h2 id="problems-heading" className="text-base font-semibold">
                Current problems
              </h2>
              {rows.length > 0 ? (
                <Link href={problemsHref} className="text-sm text-accent hover:underline">
                  Nodes with problems
                </Link>
              ) : null}
            </div>
            <ProblemList
              rows={rows}
              moreHref={problemsHref}
              extra={
                <Suspense fallback={null}>
                  <CertProblem result={nearestExpiry} />
                </Suspense>
              }
            />
          </section>
        </div>
        <div className="space-y-6">
          <section aria-labelledby="alerts-heading" className="space-y-3">
            <div className="flex items-baseline justify-between gap-2">
              <h2 id="alerts-heading" className="text-base font-semibold">
                Alerts
              </h2>
              <Link href={cluster ? `/alerts?cluster=${encodeURIComponent(cluster)}` : "/alerts"} className="text-sm text-accent hover:underline">
                All alerts
              </Link>
            </div>
            <OverviewAlerts cluster={cluster} />
          </section>
          <aside aria-label="Certificates" className="space-y-3">
            <h2 className="text-base font-semibold">Certificates</h2>
            <Suspense fallback={<CertExpirySkeleton />}>
              <CertExpiryCard result={nearestExpiry} cluster={cluster} />
            </Suspense>
          </aside>
        </div>
      </div>
    </div>
  );
}

/** A certificate tier reached (warning or critical) is a problem like a node's. */
function CertProblem({ result }: { result: Promise<CertResult<NearestExpiry>> }) {
  const r = use(result);
  if (!r.ok || !r.data.certificate) return null;
  const { certificate: cert, counts } = r.data;
  if (cert.tier !== "warning" && cert.tier !== "critical") return null;
  const more = counts.critical + counts.warning - 1;
  const row: ProblemRow = {
    key: `cert:${cert.id}`,
    severity: cert.tier === "critical" ? "critical" : "warning",
    what: "Certificate",
    message: `${cert.purpose} (${cert.cluster}) ${daysText(cert.daysLeft)}${more > 0 ? `, and ${more} more at warning or critical` : ""}`,
    href: `/certificates?tier=${cert.tier}`,
  };
  return <ProblemItem row={row} />;
}

function OverviewSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading the fleet's health" className="space-y-6">
      <Skeleton className="h-14 w-96" />
      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        <Card className="h-64 p-5">
          <Skeleton className="h-full" />
        </Card>
      </div>
      <Skeleton className="h-40" />
    </div>
  );
}
