"use client";

import { FileText, KeyRound, Upload } from "lucide-react";
import Link from "next/link";
import { useState } from "react";

import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { certTier, daysLeft } from "@/lib/certs/tiers";
import type { Cluster } from "@/lib/schemas/fleet";
import { TALOS_ROLES } from "@/lib/talos/constants";

interface ClusterTableProps {
  clusters: Cluster[];
  /** Nodes the poller knows per cluster (talosconfig + discovered); absent until the first snapshot. */
  nodeCounts: Record<string, number> | undefined;
  now: Date;
  removing: string | null;
  /** Absent for people who may not remove clusters: no Remove buttons then. */
  onRemove?: (cluster: Cluster) => void;
}

const TIER_TONE = { ok: "ok", notice: "info", warning: "warn", critical: "danger" } as const;

/** Every cluster with where it came from, how to reach it and what its credentials may do. */
export function ClusterTable({ clusters, nodeCounts, now, removing, onRemove }: ClusterTableProps) {
  const [confirming, setConfirming] = useState<string | null>(null);
  return (
    <Table aria-label="Clusters">
      <TableHead>
        <TableRow>
          <TableHeaderCell>Cluster</TableHeaderCell>
          <TableHeaderCell>Source</TableHeaderCell>
          <TableHeaderCell>Endpoints</TableHeaderCell>
          <TableHeaderCell>Nodes</TableHeaderCell>
          <TableHeaderCell>Credentials</TableHeaderCell>
          <TableHeaderCell>
            <span className="sr-only">Actions</span>
          </TableHeaderCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {clusters.map((c) => {
          const notAfter = new Date(c.credentialsNotAfter);
          const days = daysLeft(notAfter, now);
          const tier = certTier("leaf", notAfter, now);
          const uploadId = c.uploadId;
          // Removing an upload removes every cluster it brought: say so when there are several.
          const siblings = clusters.filter((x) => uploadId !== undefined && x.uploadId === uploadId).map((x) => x.name);
          return (
            <TableRow key={c.name} aria-label={`Cluster ${c.name}`}>
              <TableCell className="whitespace-nowrap font-medium">
                <Link href={`/clusters/${encodeURIComponent(c.name)}`} className="text-accent hover:underline" title={`${c.name}: its manifest, plan and apply, history and drift`}>
                  {c.name}
                </Link>
              </TableCell>
              <TableCell className="whitespace-nowrap">
                {c.source === "upload" ? (
                  <Badge tone="info">
                    <Upload aria-hidden className="size-3" />
                    Uploaded
                  </Badge>
                ) : (
                  <Badge>
                    <FileText aria-hidden className="size-3" />
                    Talosconfig file
                  </Badge>
                )}
              </TableCell>
              <TableCell className="font-mono text-xs">{c.endpoints.length > 0 ? c.endpoints.join(", ") : "none"}</TableCell>
              <TableCell>
                {nodeCounts?.[c.name] ?? c.nodes.length}
                <span className="sr-only"> nodes</span>
              </TableCell>
              <TableCell>
                <div className="flex flex-wrap items-center gap-1">
                  {c.roles.map((r) => (
                    <Badge key={r} tone={r === TALOS_ROLES.admin ? "neutral" : "warn"}>
                      <KeyRound aria-hidden className="size-3" />
                      {r}
                    </Badge>
                  ))}
                  <Badge tone={TIER_TONE[tier]} title={`The client certificate expires ${notAfter.toISOString()}; Talos never renews it`}>
                    {days < 0 ? `expired ${-days} d ago` : `expires in ${days} d`}
                  </Badge>
                </div>
              </TableCell>
              <TableCell className="text-right">
                {uploadId === undefined || !onRemove ? null : confirming === c.name ? (
                  <div role="group" aria-label={`Confirm removing ${c.name}`} className="flex items-center justify-end gap-2">
                    <span className="whitespace-nowrap text-xs text-fg-muted">Stop managing {siblings.length > 1 ? `${siblings.join(", ")} (one upload)` : c.name}?</span>
                    <Button size="sm" variant="danger" disabled={removing === uploadId} onClick={() => onRemove(c)}>
                      {removing === uploadId ? "Removing…" : "Remove"}
                    </Button>
                    <Button size="sm" variant="ghost" onClick={() => setConfirming(null)}>
                      Cancel
                    </Button>
                  </div>
                ) : (
                  <Button size="sm" onClick={() => setConfirming(c.name)} aria-label={`Remove ${c.name}`}>
                    Remove
                  </Button>
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
