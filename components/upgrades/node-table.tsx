import { NodeDrainInfo } from "@/components/drain/node-drain";
import { Card } from "@/components/ui/card";
import type { DrainAction } from "@/lib/schemas/drain";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import type { UpgradeNode } from "@/lib/schemas/upgrades";
import { formatDuration } from "@/lib/upgrades/progress";

import { NodeStateBadge } from "./state-badges";

function elapsed(n: UpgradeNode, now: number | null): string {
  if (!n.startedAt) return "–";
  const end = n.finishedAt ? Date.parse(n.finishedAt) : now;
  if (end === null) return "–";
  return formatDuration((end - Date.parse(n.startedAt)) / 1000);
}

/** What a row needs to answer a blocked drain (absent: the drain is shown, no buttons). */
export interface DrainControls {
  canAct: boolean;
  busy: boolean;
  onAction: (node: string, action: DrainAction) => void;
}

/** One row per node in plan order: state, versions, time spent, the latest message and the drain. */
export function UpgradeNodeTable({ nodes, now, drain }: { nodes: UpgradeNode[]; now: number | null; drain?: DrainControls }) {
  return (
    <Card className="overflow-x-auto">
      <Table aria-label="Nodes" pin={2}>
        <TableHead>
          <tr>
            <TableHeaderCell className="w-14">Batch</TableHeaderCell>
            <TableHeaderCell>Node</TableHeaderCell>
            <TableHeaderCell>State</TableHeaderCell>
            <TableHeaderCell>Version</TableHeaderCell>
            <TableHeaderCell className="text-right">Elapsed</TableHeaderCell>
            <TableHeaderCell>Latest</TableHeaderCell>
          </tr>
        </TableHead>
        <TableBody>
          {nodes.map((n) => {
            // A blocked drain says it in its own box below: the same sentence is not repeated above it.
            const last = n.state === "drain-blocked" && n.messages.at(-1)?.text === n.drain?.message ? undefined : n.messages.at(-1);
            return (
              <TableRow key={n.id} aria-label={n.hostname ?? n.address} className="align-top">
                <TableCell className="tabular-nums text-fg-muted">{n.batch + 1}</TableCell>
                <TableCell className="whitespace-nowrap">
                  <div className="font-medium">{n.hostname ?? n.address}</div>
                  <div className="text-xs text-fg-muted">
                    <span className="font-mono">{n.address}</span> · {n.role === "controlplane" ? "control plane" : "worker"}
                  </div>
                </TableCell>
                <TableCell>
                  <NodeStateBadge state={n.state} />
                  {n.attempts > 1 ? <div className="mt-1 text-xs text-fg-muted">resumed ({n.attempts} attempts)</div> : null}
                </TableCell>
                <TableCell className="whitespace-nowrap font-mono text-xs">
                  {n.state === "done" ? n.toVersion : `${n.fromVersion ?? "?"} → ${n.toVersion}`}
                </TableCell>
                <TableCell className="text-right tabular-nums">{elapsed(n, now)}</TableCell>
                <TableCell className="max-w-md text-xs [overflow-wrap:anywhere]">
                  {n.error ? <p className="text-danger">{n.error}</p> : last ? <p className="text-fg-muted">{last.text}</p> : n.state === "drain-blocked" ? null : <p className="text-fg-muted">–</p>}
                  {n.messages.length > 1 ? (
                    <details className="mt-1">
                      <summary className="cursor-pointer text-fg-muted hover:text-fg">All {n.messages.length} messages</summary>
                      <ol className="mt-1 space-y-0.5 font-mono text-[11px] text-fg-muted">
                        {n.messages.map((m, i) => (
                          <li key={i}>
                            <time dateTime={m.at}>{m.at.slice(11, 19)}</time> {m.text}
                          </li>
                        ))}
                      </ol>
                    </details>
                  ) : null}
                  <NodeDrainInfo
                    drain={n.drain}
                    blocked={n.state === "drain-blocked"}
                    canAct={drain?.canAct ?? false}
                    busy={drain?.busy ?? false}
                    onAction={(a) => drain?.onAction(n.id, a)}
                    label={n.hostname ?? n.address}
                  />
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </Card>
  );
}
