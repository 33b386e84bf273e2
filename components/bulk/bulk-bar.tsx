"use client";

import { useQuery } from "@tanstack/react-query";
import { Layers, X } from "lucide-react";
import { lazy, Suspense, useEffect, useState } from "react";

import { useControlAccess, type ControlAccess } from "@/components/auth/use-availability";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/input";
import { roleAtLeast, type MinosAction } from "@/lib/auth/roles";
import { sessionQuery } from "@/lib/client/auth";
import type { BulkAction } from "@/lib/schemas/bulk";
import type { NodeSelector } from "@/lib/schemas/selector";
import { BULK_ACTION_ROLE, BULK_ACTIONS } from "@/lib/schemas/values";

import { ACTION_LABEL } from "./bulk-model";
import type { BulkTarget } from "./bulk-dialog";
import type { SelectorInput } from "./selector-fields";

// Only once an action is picked: the nodes page need not download the confirmation and its plan.
// React's lazy, not next/dynamic: the dialog never renders on the server, and next/dynamic's
// loader would add ~2 KiB to the page.
const BulkDialog = lazy(() => import("./bulk-dialog").then((m) => ({ default: m.BulkDialog })));

interface BulkBarProps {
  /** The rows chosen, by node ID. */
  selected: readonly string[];
  /** Nodes the table's filters show (what "select all" picks). */
  matching: number;
  onSelectMatching: () => void;
  onClear: () => void;
  /** The header's cluster, which a selector is about. */
  cluster: string | null;
}

/**
 * The Minos action whose Talos calls each bulk action makes, for the talosconfig check (a reader-only
 * talosconfig cannot reboot). Cordon and uncordon go through Kubernetes only: no Talos role needed.
 */
export const BULK_MINOS_ACTION = {
  reboot: "reboot",
  "service-restart": "serviceAction",
  upgrade: "startUpgrade",
  "apply-patch": "startRollout",
  cordon: null,
  uncordon: null,
} as const satisfies Record<BulkAction, MinosAction | null>;

/** The one cluster a bulk action would be about: the header's, else the chosen rows' when they share one (IDs are `address@cluster`). */
export function targetCluster(cluster: string | null, selected: readonly string[]): string | null {
  if (cluster) return cluster;
  const clusters = new Set(selected.map((id) => id.slice(id.lastIndexOf("@") + 1)));
  return clusters.size === 1 ? [...clusters][0]! : null;
}

/** The selector's fields (selector-fields.tsx, with zod), loaded once the selector is chosen. */
type SelectorModule = typeof import("./selector-fields");
function useSelectorModule(wanted: boolean): SelectorModule | null {
  const [mod, setMod] = useState<SelectorModule | null>(null);
  useEffect(() => {
    if (!wanted || mod) return;
    let live = true;
    void import("./selector-fields").then((m) => {
      if (live) setMod(m);
    });
    return () => {
      live = false;
    };
  }, [wanted, mod]);
  return mod;
}

/**
 * The selection bar above the nodes table (operators): how many rows are chosen, "select all
 * that match", the actions the person's role allows, and a selector (role, hostname glob,
 * Talos version, Minos labels) as the other way to say which nodes. Each action opens its
 * confirmation with the plan.
 */
export function BulkBar({ selected, matching, onSelectMatching, onClear, cluster }: BulkBarProps) {
  const session = useQuery(sessionQuery());
  const scope = targetCluster(cluster, selected);
  // One hook per Talos-backed action, always in this order (hooks run before any early return).
  const access: Record<Exclude<(typeof BULK_MINOS_ACTION)[BulkAction], null>, ControlAccess> = {
    reboot: useControlAccess("reboot", scope),
    serviceAction: useControlAccess("serviceAction", scope),
    startUpgrade: useControlAccess("startUpgrade", scope),
    startRollout: useControlAccess("startRollout", scope),
  };
  const [action, setAction] = useState<BulkAction | null>(null);
  const [bySelector, setBySelector] = useState(false);
  const [fields, setFields] = useState<SelectorInput>({ role: "", hostname: "", talosVersion: "", labels: "" });
  const selectorModule = useSelectorModule(bySelector);
  const role = session.data?.user?.role;
  if (role === undefined || !roleAtLeast(role, "operator")) return null;
  const accessOf = (a: BulkAction): ControlAccess => {
    const m = BULK_MINOS_ACTION[a];
    return m === null ? { hidden: false, allowed: true } : access[m];
  };
  const actions = BULK_ACTIONS.filter((a) => roleAtLeast(role, BULK_ACTION_ROLE[a]) && !accessOf(a).hidden);
  // Why some actions are off with this cluster's talosconfig, once per sentence.
  const reasons = [
    ...new Set(
      actions.flatMap((a) => {
        const v = accessOf(a);
        return !v.hidden && !v.allowed ? [v.reason] : [];
      }),
    ),
  ];

  const read = selectorModule?.readSelector(fields, cluster);
  const selector: NodeSelector | null = read && "selector" in read ? read.selector : null;
  const target: BulkTarget | null = bySelector ? (selector ? { kind: "selector", selector } : null) : selected.length > 0 ? { kind: "nodes", nodes: [...selected] } : null;

  return (
    <section aria-label="Bulk actions" className="mb-3 space-y-2 rounded-lg border border-border bg-surface-muted px-3 py-2">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <Layers aria-hidden className="size-4 text-fg-muted" />
        <Select aria-label="Act on" value={bySelector ? "selector" : "rows"} onChange={(e) => setBySelector(e.target.value === "selector")}>
          <option value="rows">The rows chosen</option>
          <option value="selector">Nodes matching a selector</option>
        </Select>
        {bySelector ? null : (
          <>
            <span role="status" aria-live="polite">
              {selected.length} selected
            </span>
            <Button size="sm" variant="ghost" onClick={onSelectMatching} disabled={matching === 0}>
              Select all {matching} that match the filters
            </Button>
            {selected.length > 0 ? (
              <Button size="sm" variant="ghost" onClick={onClear}>
                <X aria-hidden className="size-4" />
                Clear
              </Button>
            ) : null}
          </>
        )}
        <span className="ml-auto flex flex-wrap gap-2">
          {actions.map((a) => {
            const v = accessOf(a);
            const off = !v.hidden && !v.allowed ? v.reason : undefined;
            return (
              <Button key={a} size="sm" variant={a === "reboot" ? "danger" : "secondary"} disabled={target === null || off !== undefined} title={off} onClick={() => setAction(a)}>
                {ACTION_LABEL[a]}…
              </Button>
            );
          })}
        </span>
      </div>
      {reasons.length > 0 ? (
        <p className="text-xs text-fg-muted" data-testid="bulk-access-reason">
          {reasons.join(" ")}
        </p>
      ) : null}
      {bySelector ? (
        selectorModule ? (
          <selectorModule.SelectorFields fields={fields} onChange={setFields} cluster={cluster} />
        ) : (
          <p className="text-xs text-fg-muted">Loading the selector…</p>
        )
      ) : null}
      {action !== null && target !== null ? (
        <Suspense fallback={null}>
          <BulkDialog action={action} target={target} onClose={() => setAction(null)} />
        </Suspense>
      ) : null}
    </section>
  );
}
