"use client";

import { useQuery } from "@tanstack/react-query";
import { Unplug } from "lucide-react";
import { Suspense, type ReactNode } from "react";

import type { CertResult } from "@/components/fleet/cert-expiry";
import { ConfigStatus } from "@/components/fleet/config-status";
import { LiveIndicator } from "@/components/fleet/live-indicator";
import { NodeCertificates, NodeCertificatesSkeleton } from "@/components/fleet/node-certificates";
import { NodeCharts } from "@/components/fleet/node-charts";
import { EtcdRole, NodeFacts } from "@/components/fleet/node-facts";
import { nodeProblemRows, ProblemItem } from "@/components/fleet/problem-list";
import { QueryError } from "@/components/fleet/query-error";
import { RelativeTime } from "@/components/ui/relative-time";
import { ServiceTable } from "@/components/fleet/service-table";
import { NodeStatusBadge } from "@/components/fleet/status-badge";
import { StageTimeline } from "@/components/fleet/stage-timeline";
import { NodeKubernetesPanel } from "@/components/kubernetes/node-kubernetes-panel";
import { NodeActionsMenu } from "@/components/node-actions/node-actions-menu";
import { ServiceActions } from "@/components/node-actions/service-actions";
import { NodeEvents } from "@/components/logs/node-events";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { nodeDetailQueryOptions } from "@/lib/client/fleet";
import { useEventStream } from "@/lib/client/use-event-stream";
import { useControlAccess } from "@/components/auth/use-availability";
import { NodeAlerts } from "@/components/alerts/alert-summary";
import { parseNodeId } from "@/lib/fleet/node-id";
import type { Certificate } from "@/lib/schemas/certs";

function Section({ title, children, aside }: { title: string; children: ReactNode; aside?: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return (
    <section aria-labelledby={id} className="space-y-3">
      <div className="flex items-baseline justify-between gap-2">
        <h2 id={id} className="text-base font-semibold">
          {title}
        </h2>
        {aside}
      </div>
      {children}
    </section>
  );
}

export function NodeDetailClient({ id, certificates }: { id: string; certificates: Promise<CertResult<Certificate[]>> }) {
  const stream = useEventStream();
  const query = useQuery(nodeDetailQueryOptions(id));
  // The service buttons as the server decides them: the person's role, then Minos's talosconfig role.
  const serviceAccess = useControlAccess("serviceAction", parseNodeId(id)?.cluster ?? null);

  if (query.isPending) {
    return (
      <div aria-busy="true" aria-label="Loading the node" className="space-y-4">
        <Skeleton className="h-28" />
        <Skeleton className="h-64" />
      </div>
    );
  }
  if (query.isError) return <QueryError what="this node" error={query.error} retry={() => void query.refetch()} />;

  const detail = query.data;
  const s = detail.summary;
  const problems = nodeProblemRows([s]);
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex items-center gap-2">
          <span className="text-sm text-fg-muted">Status</span>
          <NodeStatusBadge node={s} className="px-3 py-1 text-sm" />
        </div>
        <div className="flex flex-wrap items-start gap-3">
          <LiveIndicator status={stream} updatedAt={s.lastSeen} label="Last answered" />
          <NodeActionsMenu summary={s} />
        </div>
      </div>
      {!s.reachable ? (
        <div role="alert" className="flex items-start gap-3 rounded-lg border border-danger/30 bg-danger/10 px-4 py-3 text-sm text-danger">
          <Unplug aria-hidden className="mt-0.5 size-5 shrink-0" />
          <span>
            <strong>Offline.</strong> Minos cannot reach this node
            {s.lastSeen ? (
              <>
                ; it last answered <RelativeTime iso={s.lastSeen} />
              </>
            ) : (
              "; it has never answered since Minos started"
            )}
            . {s.lastError ? <span className="font-mono text-xs">{s.lastError.message}</span> : null}
            <span className="block text-fg-muted">What follows is the last known state.</span>
          </span>
        </div>
      ) : null}

      <NodeFacts detail={detail} />

      <NodeAlerts node={id} />

      {problems.length > 0 ? (
        <Section title="Problems">
          <Card>
            <ul aria-label="Problems of this node" className="divide-y divide-border">
              {problems.map((row) => (
                <ProblemItem key={row.key} row={row} />
              ))}
            </ul>
          </Card>
        </Section>
      ) : null}

      {s.kubernetes ? (
        <Section title="Kubernetes">
          <NodeKubernetesPanel summary={s} />
        </Section>
      ) : null}

      <Section title="Services">
        <ServiceTable
          services={detail.services}
          reachable={s.reachable || s.lastSeen !== null}
          actions={
            !serviceAccess.hidden && s.reachable
              ? (svc) => <ServiceActions node={id} nodeName={s.hostname ?? s.address} service={svc} disabledReason={serviceAccess.allowed ? undefined : serviceAccess.reason} />
              : undefined
          }
        />
      </Section>

      <Section title="Memory and load">
        <NodeCharts history={detail.history} totalKb={s.memory?.totalKb ?? null} />
      </Section>

      <div className="grid items-start gap-6 lg:grid-cols-2">
        <Section title="Stage timeline">
          <StageTimeline events={detail.stageEvents} />
        </Section>
        <Section title="etcd and config">
          <div className="space-y-4">
            <EtcdRole detail={detail} />
            <ConfigStatus nodeId={id} />
          </div>
        </Section>
      </div>

      <Section title="Events">
        <NodeEvents node={id} />
      </Section>

      <Section title="Certificates">
        <Suspense fallback={<NodeCertificatesSkeleton />}>
          <NodeCertificates result={certificates} cluster={s.cluster} />
        </Suspense>
      </Section>
    </div>
  );
}
