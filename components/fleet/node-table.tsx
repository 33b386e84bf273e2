"use client";

import Link from "next/link";
import { lazy, memo, Suspense, useEffect, useRef } from "react";

import { formatKb } from "@/components/fleet/format";
import type { SortKey } from "@/components/fleet/node-filters";
import { memoryAvailableRatio, stageLabel } from "@/components/fleet/node-status";
import { RelativeTime } from "@/components/ui/relative-time";
import { NodeStatusBadge } from "@/components/fleet/status-badge";
import type { RowWindow } from "@/components/fleet/virtual-rows";
import { CordonBadge, KubeReadyBadge } from "@/components/kubernetes/kube-badges";
import { SortableHeaderCell, TableHeaderCell, type SortDirection } from "@/components/ui/table";
import type { NodeRole, NodeSummary } from "@/lib/schemas/fleet";
import { cn } from "@/lib/utils/cn";

const ROW_HEIGHT = 48;
/**
 * Up to this many rows, every row is rendered: the page needs no virtualizer (nor its download),
 * and the browser's find-in-page sees every node. Above it only the rows in view are rendered.
 */
const ALL_ROWS_MAX = 100;
// Shown while the virtualizer loads: about a screenful, the rest of the height kept.
const FIRST_ROWS = 20;

const VirtualRows = lazy(() => import("@/components/fleet/virtual-rows"));

const roleLabels: Record<NodeRole, string> = { controlplane: "Control plane", worker: "Worker", unknown: "Unknown" };

interface Column {
  key: SortKey | "problems";
  label: string;
  width: string;
  /** Kubernetes columns: shown only when the server reports Kubernetes status. */
  kube?: boolean;
}

const allColumns: Column[] = [
  { key: "status", label: "Status", width: "8rem" },
  { key: "node", label: "Node", width: "11.5rem" },
  { key: "cluster", label: "Cluster", width: "7rem" },
  { key: "role", label: "Role", width: "8rem" },
  { key: "stage", label: "Stage", width: "7rem" },
  { key: "version", label: "Talos", width: "5.5rem" },
  // Kubernetes next to Talos's own state: the columns a drain or an upgrade is watched by.
  // Ready, cordoned and pods first: what a drain is watched by; the kubelet version after them.
  { key: "kubeReady", label: "K8s", width: "8rem", kube: true },
  { key: "cordoned", label: "Cordoned", width: "8rem", kube: true },
  { key: "pods", label: "Pods", width: "4.5rem", kube: true },
  { key: "kubelet", label: "Kubelet", width: "6rem", kube: true },
  { key: "memory", label: "Free mem", width: "6rem" },
  { key: "load", label: "Load", width: "4.5rem" },
  { key: "lastSeen", label: "Last seen", width: "7.5rem" },
  // Takes what is left: the longest text.
  { key: "problems", label: "Problems", width: "auto" },
];
// The fixed columns plus room for the problems, in rem; narrower screens scroll sideways.
const minWidthRem = (columns: Column[]) => columns.reduce((sum, c) => sum + (c.width === "auto" ? 12 : parseFloat(c.width)), 0);

interface NodeTableProps {
  nodes: readonly NodeSummary[];
  sort: SortKey;
  dir: SortDirection;
  onSort: (key: SortKey) => void;
  /** False when every row is of one cluster: the column would repeat one name. */
  showCluster?: boolean;
  /** False when no row carries Kubernetes status (a server that does not track it). */
  showKubernetes?: boolean;
  /** Row selection for bulk actions (operators): a checkbox column; absent, no column. */
  selection?: TableSelection;
}

export interface TableSelection {
  selected: ReadonlySet<string>;
  /** Must be stable (rows are memoised). */
  onToggle: (id: string) => void;
  /** Selects every row shown, or clears them when all are selected. */
  onToggleAll: () => void;
}

const SELECT_WIDTH = "2.75rem";

// On a phone the table scrolls sideways: the node's name sticks to the left edge once the status
// column has scrolled away, so every row stays identifiable (opaque, above the cells passing under).
const PIN_NODE = "max-md:sticky max-md:left-0 max-md:z-[1] max-md:bg-surface";
const PIN_NODE_HEADER = "max-md:sticky max-md:left-0 max-md:z-[2] max-md:bg-surface";

/** The header's checkbox: checked when every row shown is selected, mixed when some are. */
function SelectAllBox({ nodes, selection }: { nodes: readonly NodeSummary[]; selection: TableSelection }) {
  const ref = useRef<HTMLInputElement>(null);
  const count = nodes.reduce((n, node) => n + (selection.selected.has(node.id) ? 1 : 0), 0);
  const all = nodes.length > 0 && count === nodes.length;
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = count > 0 && !all;
  }, [count, all]);
  return <input ref={ref} type="checkbox" aria-label="Select every node shown" checked={all} onChange={selection.onToggleAll} className="size-4 accent-accent" />;
}

/**
 * The fleet's nodes as a table. A long one renders only the rows in view (plus a few), so
 * thousands of nodes scroll smoothly. Rows have a fixed height; spacer rows stand in for the ones
 * not rendered.
 */
export function NodeTable({ nodes, sort, dir, onSort, showCluster = true, showKubernetes = true, selection }: NodeTableProps) {
  const columns = allColumns.filter((c) => (showCluster || c.key !== "cluster") && (showKubernetes || !c.kube));
  const scrollRef = useRef<HTMLDivElement>(null);
  const span = columns.length + (selection ? 1 : 0);
  const body = ({ start, end, paddingTop, paddingBottom }: RowWindow) => (
    <tbody>
      {paddingTop > 0 ? (
        <tr aria-hidden style={{ height: paddingTop }}>
          <td colSpan={span} className="p-0" />
        </tr>
      ) : null}
      {nodes.slice(start, end).map((node, i) => (
        <NodeRow
          key={node.id}
          node={node}
          rowIndex={start + i + 2}
          showCluster={showCluster}
          showKubernetes={showKubernetes}
          selected={selection ? selection.selected.has(node.id) : undefined}
          onToggle={selection?.onToggle}
        />
      ))}
      {paddingBottom > 0 ? (
        <tr aria-hidden style={{ height: paddingBottom }}>
          <td colSpan={span} className="p-0" />
        </tr>
      ) : null}
    </tbody>
  );
  const firstRows = Math.min(nodes.length, FIRST_ROWS);

  return (
    <div
      ref={scrollRef}
      data-testid="node-table-scroll"
      className="max-h-[calc(100vh-15rem)] min-h-64 overflow-auto rounded-lg border border-border bg-surface"
    >
      <table
        aria-label="Nodes"
        aria-rowcount={nodes.length + 1}
        className="w-full table-fixed text-left text-sm"
        style={{ minWidth: `${minWidthRem(columns) + (selection ? parseFloat(SELECT_WIDTH) : 0)}rem` }}
      >
        <colgroup>
          {selection ? <col style={{ width: SELECT_WIDTH }} /> : null}
          {columns.map((c) => (
            <col key={c.key} style={{ width: c.width }} />
          ))}
        </colgroup>
        <thead className="sticky top-0 z-[1] border-b border-border bg-surface text-xs uppercase tracking-wide text-fg-muted shadow-[0_1px_0_var(--color-border)]">
          <tr aria-rowindex={1}>
            {selection ? (
              <TableHeaderCell plain className="px-3 py-3 font-medium">
                <SelectAllBox nodes={nodes} selection={selection} />
              </TableHeaderCell>
            ) : null}
            {columns.map((c) =>
              c.key === "problems" ? (
                <TableHeaderCell key={c.key}>{c.label}</TableHeaderCell>
              ) : (
                <SortableHeaderCell
                  key={c.key}
                  label={c.label}
                  direction={sort === c.key ? dir : null}
                  onSort={() => onSort(c.key as SortKey)}
                  className={c.key === "node" ? PIN_NODE_HEADER : undefined}
                />
              ),
            )}
          </tr>
        </thead>
        {nodes.length <= ALL_ROWS_MAX ? (
          body({ start: 0, end: nodes.length, paddingTop: 0, paddingBottom: 0 })
        ) : (
          <Suspense fallback={body({ start: 0, end: firstRows, paddingTop: 0, paddingBottom: (nodes.length - firstRows) * ROW_HEIGHT })}>
            <VirtualRows count={nodes.length} rowHeight={ROW_HEIGHT} scrollRef={scrollRef} getKey={(index) => nodes[index]!.id}>
              {body}
            </VirtualRows>
          </Suspense>
        )}
      </table>
    </div>
  );
}

// Rows scrolled into view keep their props (the same node object), so scrolling re-renders only the new ones.
const NodeRow = memo(function NodeRow({
  node,
  rowIndex,
  showCluster,
  showKubernetes,
  selected,
  onToggle,
}: {
  node: NodeSummary;
  rowIndex: number;
  showCluster: boolean;
  showKubernetes: boolean;
  /** Undefined: no selection column. */
  selected?: boolean;
  onToggle?: (id: string) => void;
}) {
  const k = node.kubernetes;
  const ratio = memoryAvailableRatio(node);
  const href = `/nodes/${encodeURIComponent(node.id)}`;
  return (
    <tr
      aria-rowindex={rowIndex}
      data-node-id={node.id}
      className={cn("border-b border-border hover:bg-surface-muted/60", !node.reachable && "bg-danger/5")}
      style={{ height: ROW_HEIGHT }}
    >
      {selected !== undefined ? (
        <td className="px-3">
          <input type="checkbox" aria-label={`Select ${node.hostname ?? node.address}`} checked={selected} onChange={() => onToggle?.(node.id)} className="size-4 accent-accent" />
        </td>
      ) : null}
      <td className="px-4">
        <NodeStatusBadge node={node} />
      </td>
      <td className={cn("px-4 leading-tight", PIN_NODE)}>
        {/* No prefetch: scrolling through thousands of rows must not fetch thousands of pages. */}
        <Link href={href} prefetch={false} className="block truncate font-medium text-accent hover:underline">
          {node.hostname ?? node.address}
        </Link>
        {node.hostname ? <span className="block truncate font-mono text-xs text-fg-muted">{node.address}</span> : null}
      </td>
      {showCluster ? <td className="truncate px-4">{node.cluster}</td> : null}
      <td className="truncate px-4">{roleLabels[node.role]}</td>
      <td className="truncate px-4">
        {node.reachable ? (
          stageLabel(node.stage)
        ) : (
          <span className="text-fg-muted" title={node.stage === "unknown" ? "Not known: the node is offline" : "Last known stage: the node is offline"}>
            {stageLabel(node.stage)}
          </span>
        )}
      </td>
      <td className="truncate px-4 font-mono text-xs">{node.talosVersion ?? <span className="text-fg-muted">–</span>}</td>
      {showKubernetes ? (
        <>
          <td className="truncate px-4">
            <KubeReadyBadge kubernetes={k} />
          </td>
          <td className="truncate px-4">
            <CordonBadge kubernetes={k} compact />
          </td>
          <td className="truncate px-4 tabular-nums">{k?.pods ?? <span className="text-fg-muted">–</span>}</td>
          <td className="truncate px-4 font-mono text-xs">{k?.kubeletVersion ?? <span className="text-fg-muted">–</span>}</td>
        </>
      ) : null}
      <td
        className="truncate px-4 tabular-nums"
        title={node.memory ? `${formatKb(node.memory.availableKb)} of ${formatKb(node.memory.totalKb)} available` : undefined}
      >
        {ratio === null ? (
          <span className="text-fg-muted">–</span>
        ) : (
          <span className={cn(ratio < 0.1 && "font-medium text-danger")}>{Math.round(ratio * 100)} %</span>
        )}
      </td>
      <td className="truncate px-4 tabular-nums">{node.load1 === null ? <span className="text-fg-muted">–</span> : node.load1.toFixed(2)}</td>
      <td className={cn("truncate px-4 text-xs", !node.reachable ? "font-medium text-danger" : "text-fg-muted")}>
        {node.lastSeen ? <RelativeTime iso={node.lastSeen} /> : "never"}
      </td>
      <td className="truncate px-4 text-xs" title={node.problems.map((p) => p.message).join("\n") || undefined}>
        {node.problems.length === 0 ? (
          <span className="text-fg-muted">None</span>
        ) : (
          <>
            {node.problems[0]!.message}
            {node.problems.length > 1 ? <span className="text-fg-muted"> +{node.problems.length - 1} more</span> : null}
          </>
        )}
      </td>
    </tr>
  );
});
