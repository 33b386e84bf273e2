import Link from "next/link";

import { PlanStateBadge } from "@/components/upgrades/state-badges";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import type { CaRotationSummary } from "@/lib/schemas/ca-rotation";

/** Past and live rotations, newest first. */
export function CaRotationHistory({ rotations }: { rotations: CaRotationSummary[] }) {
  if (rotations.length === 0) return <p className="text-sm text-fg-muted">No CA rotation yet.</p>;
  return (
    <Table>
      <TableHead>
        <TableRow>
          <TableHeaderCell>Started</TableHeaderCell>
          <TableHeaderCell>Cluster</TableHeaderCell>
          <TableHeaderCell>CAs</TableHeaderCell>
          <TableHeaderCell>State</TableHeaderCell>
          <TableHeaderCell>Steps</TableHeaderCell>
          <TableHeaderCell>By</TableHeaderCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rotations.map((r) => (
          <TableRow key={r.id}>
            <TableCell>
              <Link href={`/ca-rotations/${r.id}`} className="text-accent hover:underline">
                {r.createdAt.slice(0, 19).replace("T", " ")}
              </Link>
            </TableCell>
            <TableCell>{r.cluster}</TableCell>
            <TableCell>{[r.talos ? "Talos API" : null, r.kubernetes ? "Kubernetes API" : null].filter(Boolean).join(", ")}</TableCell>
            <TableCell>
              <PlanStateBadge state={r.state} />
            </TableCell>
            <TableCell className="tabular-nums">
              {r.stepsDone}/{r.stepsTotal}
            </TableCell>
            <TableCell>{r.actor}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
