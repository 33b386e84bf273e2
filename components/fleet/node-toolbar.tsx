"use client";

import { FilterX, Search } from "lucide-react";
import type { ReactNode } from "react";

import { isFiltered, type KubeFilter, type NodeFilters, type ProblemFilter } from "@/components/fleet/node-filters";
import { stageLabel } from "@/components/fleet/node-status";
import { problemKindLabels } from "@/components/fleet/problem-kinds";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import type { NodeRole, NodeStage } from "@/lib/schemas/fleet";
import { NODE_STAGES, PROBLEM_KINDS } from "@/lib/schemas/values";

interface NodeToolbarProps {
  filters: NodeFilters;
  /** What the search box shows; it may run ahead of `filters.q` while the operator types. */
  search: string;
  onSearch: (q: string) => void;
  onChange: (change: Partial<NodeFilters>) => void;
  onClear: () => void;
  versions: string[];
  /** The server reports Kubernetes status: offer its filter (kept while one is set, so it can be cleared). */
  kubernetes?: boolean;
  shown: number;
  total: number;
}

function Labelled({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="flex flex-col gap-1 text-xs font-medium text-fg-muted">
      {label}
      {children}
    </label>
  );
}

/**
 * Search and filters of the Nodes table (props in, changes out; the page keeps them in the URL).
 * The cluster filter is the header's cluster selector, shared by every page.
 */
export function NodeToolbar({ filters, search, onSearch, onChange, onClear, versions, kubernetes = false, shown, total }: NodeToolbarProps) {
  const problemOptions: { value: ProblemFilter; label: string }[] = [
    { value: "any", label: "Any problem" },
    { value: "none", label: "No problem" },
    ...PROBLEM_KINDS.map((k) => ({ value: k, label: problemKindLabels[k] })),
  ];
  return (
    <div className="mb-4 flex flex-wrap items-end gap-3">
      <label className="flex min-w-56 flex-1 flex-col gap-1 text-xs font-medium text-fg-muted">
        Search
        <span className="relative">
          <Search aria-hidden className="pointer-events-none absolute left-2.5 top-2.5 size-4 text-fg-muted" />
          <Input
            type="search"
            value={search}
            onChange={(e) => onSearch(e.target.value)}
            placeholder="Hostname, address, cluster, version"
            className="w-full pl-8"
          />
        </span>
      </label>
      <Labelled label="Role">
        <Select value={filters.role ?? ""} onChange={(e) => onChange({ role: (e.target.value || null) as NodeRole | null })}>
          <option value="">All roles</option>
          <option value="controlplane">Control plane</option>
          <option value="worker">Worker</option>
          <option value="unknown">Unknown</option>
        </Select>
      </Labelled>
      <Labelled label="Stage">
        <Select value={filters.stage ?? ""} onChange={(e) => onChange({ stage: (e.target.value || null) as NodeStage | null })}>
          <option value="">All stages</option>
          {NODE_STAGES.map((s) => (
            <option key={s} value={s}>
              {stageLabel(s)}
            </option>
          ))}
        </Select>
      </Labelled>
      <Labelled label="Version">
        <Select value={filters.version ?? ""} onChange={(e) => onChange({ version: e.target.value || null })}>
          <option value="">All versions</option>
          {versions.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
          {filters.version && !versions.includes(filters.version) ? <option value={filters.version}>{filters.version}</option> : null}
        </Select>
      </Labelled>
      <Labelled label="Problem">
        <Select value={filters.problem ?? ""} onChange={(e) => onChange({ problem: (e.target.value || null) as ProblemFilter | null })}>
          <option value="">Any state</option>
          {problemOptions.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </Select>
      </Labelled>
      {kubernetes || filters.kube !== null ? (
        <Labelled label="Kubernetes">
          <Select value={filters.kube ?? ""} onChange={(e) => onChange({ kube: (e.target.value || null) as KubeFilter | null })}>
            <option value="">Any</option>
            <option value="not_ready">Not ready</option>
            <option value="cordoned">Cordoned</option>
          </Select>
        </Labelled>
      ) : null}
      <Button variant="ghost" onClick={onClear} disabled={!isFiltered(filters)}>
        <FilterX aria-hidden className="size-4" />
        Clear filters
      </Button>
      <p role="status" aria-live="polite" className="w-full text-sm text-fg-muted">
        {shown === total ? `${total} ${total === 1 ? "node" : "nodes"}` : `${shown} of ${total} nodes`}
        {/* The cluster is chosen in the header, for every page at once; say so here too. */}
        {filters.cluster ? ` in cluster ${filters.cluster} (change it in the header)` : " across all clusters"}
      </p>
    </div>
  );
}
