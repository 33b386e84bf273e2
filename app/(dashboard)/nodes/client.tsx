"use client";

import { useQuery } from "@tanstack/react-query";
import { ArrowUpCircle, SearchX, Server } from "lucide-react";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useDeferredValue, useMemo, useState } from "react";

import { BulkBar } from "@/components/bulk/bulk-bar";
import { LiveIndicator } from "@/components/fleet/live-indicator";
import {
  defaultFilters,
  filterNodes,
  parseNodeFilters,
  sortNodes,
  versionsOf,
  writeNodeFilters,
  type NodeFilters,
  type SortKey,
} from "@/components/fleet/node-filters";
import { NodeTable, type TableSelection } from "@/components/fleet/node-table";
import { NodeToolbar } from "@/components/fleet/node-toolbar";
import { QueryError } from "@/components/fleet/query-error";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { roleAtLeast } from "@/lib/auth/roles";
import { sessionQuery } from "@/lib/client/auth";
import { nodesQueryOptions } from "@/lib/client/fleet";
import { useEventStream } from "@/lib/client/use-event-stream";

// Columns whose natural first click is "worst/most first".
const descendingFirst = new Set<SortKey>(["lastSeen", "load"]);

export function NodesClient() {
  const stream = useEventStream();
  const query = useQuery(nodesQueryOptions());
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filters = useMemo(() => parseNodeFilters(searchParams), [searchParams]);
  // The box updates at once; the URL and the (possibly 5,000-row) filtering follow.
  const [search, setSearch] = useState(filters.q);
  const q = useDeferredValue(search);

  // The URL is the state: a view can be shared, reloaded or bookmarked. replaceState (not the
  // router) because a filter change needs no server round trip.
  function write(next: NodeFilters) {
    const qs = writeNodeFilters(next, new URLSearchParams(searchParams)).toString();
    window.history.replaceState(null, "", qs ? `${pathname}?${qs}` : pathname);
  }
  const change = (c: Partial<NodeFilters>) => write({ ...filters, q: search, ...c });
  const onSearch = (value: string) => {
    setSearch(value);
    write({ ...filters, q: value });
  };
  const onSort = (key: SortKey) => {
    if (filters.sort === key) change({ dir: filters.dir === "asc" ? "desc" : "asc" });
    else change({ sort: key, dir: descendingFirst.has(key) ? "desc" : "asc" });
  };
  const onClear = () => {
    setSearch("");
    write({ ...defaultFilters, sort: filters.sort, dir: filters.dir });
  };

  const all = query.data?.nodes;
  const visible = useMemo(() => (all ? sortNodes(filterNodes(all, { ...filters, q }), filters.sort, filters.dir) : []), [all, filters, q]);
  const inScope = useMemo(() => (all && filters.cluster ? all.filter((n) => n.cluster === filters.cluster) : (all ?? [])), [all, filters.cluster]);
  const versions = useMemo(() => versionsOf(inScope), [inScope]);
  // A server that tracks Kubernetes sends `kubernetes` on every node; without it the columns would be all dashes.
  const kubernetes = useMemo(() => inScope.some((n) => n.kubernetes !== undefined), [inScope]);
  const upgrading = (query.data?.clusters ?? []).filter((c) => c.upgrade !== null && (!filters.cluster || c.name === filters.cluster));

  // Rows chosen for a bulk action (operators only), kept by node ID across filter changes.
  const session = useQuery(sessionQuery());
  const canAct = session.data?.user?.role !== undefined && roleAtLeast(session.data.user.role, "operator");
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  // Plain functions: the React Compiler memoises them (rows are memoised on onToggle).
  const onToggle = (id: string) =>
    setSelected((old) => {
      const next = new Set(old);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const selectMatching = () => setSelected((old) => new Set([...old, ...visible.map((n) => n.id)]));
  const onToggleAll = () =>
    setSelected((old) => {
      const shown = new Set(visible.map((n) => n.id));
      const allShown = shown.size > 0 && [...shown].every((id) => old.has(id));
      return allShown ? new Set([...old].filter((id) => !shown.has(id))) : new Set([...old, ...shown]);
    });
  const selection: TableSelection | undefined = canAct ? { selected, onToggle, onToggleAll } : undefined;
  // Only nodes still known count (a node that left the fleet drops out of the selection).
  const chosen = (all ?? []).filter((n) => selected.has(n.id)).map((n) => n.id);

  if (query.isPending) {
    return (
      <div aria-busy="true" aria-label="Loading nodes" className="space-y-3">
        <Skeleton className="h-16" />
        <Skeleton className="h-96" />
      </div>
    );
  }
  if (query.isError) return <QueryError what="the nodes" error={query.error} retry={() => void query.refetch()} />;

  return (
    <div>
      <div className="mb-3 flex flex-wrap items-center justify-end gap-3">
        {upgrading.map((c) => (
          <Link key={c.name} href={`/upgrades/${encodeURIComponent(c.upgrade!.planId)}`} className="mr-auto flex items-center gap-2 text-sm font-medium text-info hover:underline">
            <ArrowUpCircle aria-hidden className="size-4" />
            {c.name}: {c.upgrade!.state === "paused" ? "upgrade paused" : "upgrading"} {c.upgrade!.done}/{c.upgrade!.total}
          </Link>
        ))}
        <LiveIndicator status={stream} updatedAt={query.data.updatedAt} />
      </div>
      <NodeToolbar
        filters={filters}
        search={search}
        onSearch={onSearch}
        onChange={change}
        onClear={onClear}
        versions={versions}
        kubernetes={kubernetes}
        shown={visible.length}
        total={inScope.length}
      />
      {inScope.length === 0 ? (
        <EmptyState icon={Server} title="No nodes">
          {filters.cluster
            ? `Minos knows no node of cluster "${filters.cluster}". Pick another cluster in the header.`
            : "Your talosconfig names no nodes, and none were discovered. Add them to a context's nodes list."}
        </EmptyState>
      ) : visible.length === 0 ? (
        <EmptyState
          icon={SearchX}
          title="No node matches these filters"
          action={
            <Button variant="primary" onClick={onClear}>
              Clear filters
            </Button>
          }
        >
          {inScope.length} {inScope.length === 1 ? "node is" : "nodes are"} hidden by the search or filters.
        </EmptyState>
      ) : (
        <>
          {canAct ? <BulkBar selected={chosen} matching={visible.length} onSelectMatching={selectMatching} onClear={() => setSelected(new Set())} cluster={filters.cluster} /> : null}
          <NodeTable
            nodes={visible}
            sort={filters.sort}
            dir={filters.dir}
            onSort={onSort}
            showCluster={new Set(inScope.map((n) => n.cluster)).size > 1}
            showKubernetes={kubernetes}
            selection={selection}
          />
        </>
      )}
    </div>
  );
}
