"use client";

import { CircleAlert, CircleCheck, OctagonAlert } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";

import { nodeName } from "@/components/fleet/node-status";
import { problemKindLabels } from "@/components/fleet/problem-kinds";
import { RelativeTime } from "@/components/ui/relative-time";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import type { NodeSummary, Problem } from "@/lib/schemas/fleet";

/** One row of the Overview's problem list: a node's problem, or one that isn't a node's (certificates). */
export interface ProblemRow {
  key: string;
  severity: Problem["severity"];
  what: string;
  message: string;
  node?: NodeSummary;
  href: string;
  /** Extra context, e.g. the certificate's expiry date. */
  aside?: ReactNode;
  /** Order within a severity, lowest first. */
  rank?: number;
}

const severityRank = { critical: 0, warning: 1 } as const;
// Within a severity: what makes everything else moot comes first.
const kindRank: Record<Problem["kind"], number> = { down: 0, etcd: 1, service_failing: 2, not_ready: 3, stage: 4, memory: 5, forbidden: 6 };

/** Every node problem as a row, critical first. */
export function nodeProblemRows(nodes: readonly NodeSummary[]): ProblemRow[] {
  const rows: ProblemRow[] = [];
  for (const node of nodes) {
    for (const p of node.problems) {
      rows.push({
        key: `${node.id}:${p.kind}:${p.message}`,
        severity: p.severity,
        what: problemKindLabels[p.kind],
        rank: kindRank[p.kind],
        message: p.message,
        node,
        href: `/nodes/${encodeURIComponent(node.id)}`,
      });
    }
  }
  return rows.sort((a, b) => severityRank[a.severity] - severityRank[b.severity] || (a.rank ?? 0) - (b.rank ?? 0));
}

function SeverityBadge({ severity }: { severity: Problem["severity"] }) {
  return severity === "critical" ? (
    <Badge tone="danger">
      <OctagonAlert aria-hidden className="size-3" />
      Critical
    </Badge>
  ) : (
    <Badge tone="warn">
      <CircleAlert aria-hidden className="size-3" />
      Warning
    </Badge>
  );
}

/** One problem: severity, what, where (a link to act on it), and the message. */
export function ProblemItem({ row }: { row: ProblemRow }) {
  return (
    <li className="space-y-1 px-4 py-3 text-sm">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <SeverityBadge severity={row.severity} />
        <span className="font-semibold">{row.what}</span>
        {row.node ? (
          <Link href={row.href} className="font-mono text-accent hover:underline">
            {nodeName(row.node)}
            {row.node.hostname ? <span className="text-fg-muted"> ({row.node.address})</span> : null}
          </Link>
        ) : (
          <Link href={row.href} className="text-accent hover:underline">
            Certificates
          </Link>
        )}
        {row.node ? <span className="text-fg-muted">{row.node.cluster}</span> : null}
        {row.node && !row.node.reachable ? (
          <span className="ml-auto text-xs font-medium text-danger">last seen {row.node.lastSeen ? <RelativeTime iso={row.node.lastSeen} /> : "never"}</span>
        ) : null}
        {row.aside}
      </div>
      <p className="break-words text-fg-muted">{row.message}</p>
    </li>
  );
}

/**
 * The Overview's "current problems": what to look at first, each linking to where to act.
 * `extra` holds items that arrive later (certificate tiers, streamed in).
 */
export function ProblemList({ rows, limit = 50, moreHref, extra }: { rows: ProblemRow[]; limit?: number; moreHref: string; extra?: ReactNode }) {
  const shown = rows.slice(0, limit);
  return (
    <Card>
      <ul aria-label="Current problems" className="divide-y divide-border">
        {rows.length === 0 ? (
          <li className="flex items-center gap-3 px-4 py-3 text-sm">
            <CircleCheck aria-hidden className="size-5 shrink-0 text-ok" />
            <span>
              <strong>No node problems.</strong> <span className="text-fg-muted">Every node answers, runs and is ready.</span>
            </span>
          </li>
        ) : null}
        {shown.map((row) => (
          <ProblemItem key={row.key} row={row} />
        ))}
        {extra}
      </ul>
      {rows.length > shown.length ? (
        <p className="border-t border-border px-4 py-3 text-sm">
          And {rows.length - shown.length} more.{" "}
          <Link href={moreHref} className="text-accent hover:underline">
            See every node with a problem
          </Link>
        </p>
      ) : null}
    </Card>
  );
}
