import { History } from "lucide-react";
import Link from "next/link";

import { PlanStateBadge } from "@/components/upgrades/state-badges";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import type { KubernetesUpgradeSummary } from "@/lib/schemas/kubernetes-upgrades";
import { formatDuration } from "@/lib/upgrades/progress";

/** Past and current Kubernetes upgrades, newest first, each linking to its live view. */
export function KubeUpgradeHistory({ plans }: { plans: KubernetesUpgradeSummary[] }) {
  if (plans.length === 0) {
    return (
      <EmptyState icon={History} title="No Kubernetes upgrades yet">
        Kubernetes upgrades started from Minos are listed here with their outcome.
      </EmptyState>
    );
  }
  return (
    <Card className="overflow-x-auto">
      <Table aria-label="Kubernetes upgrade history">
        <TableHead>
          <tr>
            <TableHeaderCell>Started (UTC)</TableHeaderCell>
            <TableHeaderCell>Cluster</TableHeaderCell>
            <TableHeaderCell>Versions</TableHeaderCell>
            <TableHeaderCell>State</TableHeaderCell>
            <TableHeaderCell>Steps</TableHeaderCell>
            <TableHeaderCell className="text-right">Took</TableHeaderCell>
          </tr>
        </TableHead>
        <TableBody>
          {plans.map((p) => (
            <TableRow key={p.id}>
              <TableCell className="whitespace-nowrap tabular-nums">
                <Link href={`/kubernetes-upgrades/${p.id}`} className="text-accent hover:underline">
                  <time dateTime={p.createdAt}>{p.createdAt.slice(0, 19).replace("T", " ")}</time>
                </Link>
              </TableCell>
              <TableCell>{p.cluster}</TableCell>
              <TableCell className="font-mono text-xs">
                {p.fromVersion ?? "?"} → {p.toVersion}
              </TableCell>
              <TableCell>
                <PlanStateBadge state={p.state} />
                {p.reason && p.state === "failed" ? (
                  <p className="mt-1 max-w-sm truncate text-xs text-danger" title={p.reason}>
                    {p.reason}
                  </p>
                ) : null}
              </TableCell>
              <TableCell className="tabular-nums">
                {p.progress.done}/{p.progress.total}
              </TableCell>
              <TableCell className="text-right tabular-nums">{p.startedAt && p.finishedAt ? formatDuration((Date.parse(p.finishedAt) - Date.parse(p.startedAt)) / 1000) : "–"}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}
