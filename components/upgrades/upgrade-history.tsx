import { History } from "lucide-react";
import Link from "next/link";

import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import type { UpgradePlanSummary } from "@/lib/schemas/upgrades";
import { formatDuration } from "@/lib/upgrades/progress";

import { PlanStateBadge } from "./state-badges";

/** Past and current upgrades, newest first, each linking to its live view. */
export function UpgradeHistory({ plans }: { plans: UpgradePlanSummary[] }) {
  if (plans.length === 0) {
    return (
      <EmptyState icon={History} title="No upgrades yet">
        Upgrades started from Minos are listed here with their outcome.
      </EmptyState>
    );
  }
  return (
    <Card className="overflow-x-auto">
      <Table aria-label="Upgrade history">
        <TableHead>
          <tr>
            <TableHeaderCell>Started (UTC)</TableHeaderCell>
            <TableHeaderCell>Cluster</TableHeaderCell>
            <TableHeaderCell>Target</TableHeaderCell>
            <TableHeaderCell>State</TableHeaderCell>
            <TableHeaderCell>Nodes</TableHeaderCell>
            <TableHeaderCell className="text-right">Took</TableHeaderCell>
          </tr>
        </TableHead>
        <TableBody>
          {plans.map((p) => (
            <TableRow key={p.id}>
              <TableCell className="whitespace-nowrap tabular-nums">
                <Link href={`/upgrades/${p.id}`} className="text-accent hover:underline">
                  <time dateTime={p.createdAt}>{p.createdAt.slice(0, 19).replace("T", " ")}</time>
                </Link>
              </TableCell>
              <TableCell>{p.cluster}</TableCell>
              <TableCell className="font-mono text-xs">{p.targetVersion}</TableCell>
              <TableCell>
                <PlanStateBadge state={p.state} />
                {p.reason && p.state === "failed" ? <p className="mt-1 max-w-sm truncate text-xs text-danger" title={p.reason}>{p.reason}</p> : null}
              </TableCell>
              <TableCell className="tabular-nums">
                {p.progress.done}/{p.progress.total}
                {p.progress.failed > 0 ? <span className="text-danger"> · {p.progress.failed} failed</span> : null}
              </TableCell>
              <TableCell className="text-right tabular-nums">{p.startedAt && p.finishedAt ? formatDuration((Date.parse(p.finishedAt) - Date.parse(p.startedAt)) / 1000) : "–"}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}
