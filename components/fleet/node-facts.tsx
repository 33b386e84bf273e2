"use client";

import { Crown, Database } from "lucide-react";
import type { ReactNode } from "react";

import { formatBytes, formatKb } from "@/components/fleet/format";
import { stageLabel } from "@/components/fleet/node-status";
import { RelativeTime } from "@/components/ui/relative-time";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import type { NodeDetail } from "@/lib/schemas/fleet";

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-fg-muted">{label}</dt>
      <dd className="mt-1 truncate text-sm">{children}</dd>
    </div>
  );
}

const roleLabels = { controlplane: "Control plane", worker: "Worker", unknown: "Unknown" } as const;

/** The node's key facts in one card: what it is, what it runs, when it last answered. */
export function NodeFacts({ detail }: { detail: NodeDetail }) {
  const s = detail.summary;
  return (
    <Card className="p-5">
      <dl className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-6">
        <Fact label="Stage">
          {stageLabel(s.stage)}
          {!s.reachable && s.stage !== "unknown" ? <span className="text-fg-muted"> (last known)</span> : null}
        </Fact>
        <Fact label="Ready">{s.ready ? "Yes" : s.unmetConditions.length > 0 ? `No: ${s.unmetConditions.map((c) => c.name).join(", ")}` : "No"}</Fact>
        <Fact label="Role">{roleLabels[s.role]}</Fact>
        <Fact label="Talos">
          <span className="font-mono">{s.talosVersion ?? "unknown"}</span>
          {s.kubernetesVersion ? <span className="text-fg-muted"> · k8s {s.kubernetesVersion}</span> : null}
        </Fact>
        <Fact label="Last seen">
          {s.lastSeen ? <RelativeTime iso={s.lastSeen} className={!s.reachable ? "font-medium text-danger" : undefined} /> : "never"}
        </Fact>
        <Fact label="Memory">{s.memory ? `${formatKb(s.memory.availableKb)} free of ${formatKb(s.memory.totalKb)}` : "unknown"}</Fact>
        <Fact label="Address">
          <span className="font-mono">{s.address}</span>
        </Fact>
        <Fact label="Cluster">{s.cluster}</Fact>
        <Fact label="Known from">{s.source === "talosconfig" ? "talosconfig" : "discovery"}</Fact>
        <Fact label="Boot ID">
          <span className="font-mono text-xs" title={s.bootId ?? undefined}>
            {s.bootId ? s.bootId.slice(0, 8) : "unknown"}
          </span>
        </Fact>
        <Fact label="Load (1 min)">{s.load1 === null ? "unknown" : s.load1.toFixed(2)}</Fact>
        <Fact label="Failing services">{s.failingServices.length === 0 ? "None" : s.failingServices.join(", ")}</Fact>
      </dl>
    </Card>
  );
}

/** This node's etcd member, or why there is none. */
export function EtcdRole({ detail }: { detail: NodeDetail }) {
  const etcd = detail.etcd;
  return (
    <Card className="space-y-2 p-5" role="region" aria-label="etcd">
      <h3 className="flex items-center gap-2 text-sm font-medium">
        <Database aria-hidden className="size-4 text-fg-muted" />
        etcd
      </h3>
      {etcd ? (
        <>
          <div className="flex flex-wrap gap-2">
            {etcd.isLeader ? (
              <Badge tone="info">
                <Crown aria-hidden className="size-3" />
                Leader
              </Badge>
            ) : etcd.isLearner ? (
              <Badge tone="warn">Learner (not voting yet)</Badge>
            ) : (
              <Badge>Follower</Badge>
            )}
          </div>
          <p className="text-sm text-fg-muted">
            Member <span className="font-mono">{etcd.memberId}</span> · database {formatBytes(etcd.dbSize)}
          </p>
        </>
      ) : (
        <p className="text-sm text-fg-muted">
          {detail.summary.role === "worker" ? "Workers run no etcd member." : "No etcd status: the node did not answer, or the credentials may not read it."}
        </p>
      )}
    </Card>
  );
}
