import { CircleCheck, CircleX, Crown, Rocket, TriangleAlert } from "lucide-react";

import { useControlAccess } from "@/components/auth/use-availability";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import type { UpgradeCheck, UpgradePreview } from "@/lib/schemas/upgrades";

const checkLook = {
  ok: { icon: CircleCheck, className: "text-ok", label: "OK" },
  warn: { icon: TriangleAlert, className: "text-warn", label: "Warning" },
  error: { icon: CircleX, className: "text-danger", label: "Blocks the upgrade" },
} as const;

function CheckItem({ check }: { check: UpgradeCheck }) {
  const look = checkLook[check.level];
  const Icon = look.icon;
  return (
    <li className="flex items-start gap-2 text-sm">
      <Icon aria-hidden className={`mt-0.5 size-4 shrink-0 ${look.className}`} />
      <span>
        <span className="sr-only">{look.label}: </span>
        {check.message}
      </span>
    </li>
  );
}

interface PlanPreviewProps {
  preview: UpgradePreview;
  starting: boolean;
  onStart: () => void;
}

/** The dry run: what Minos checked, and the order and batches it would upgrade in. */
export function PlanPreview({ preview, starting, onStart }: PlanPreviewProps) {
  const byId = new Map(preview.nodes.map((n) => [n.id, n]));
  const errors = preview.checks.filter((c) => c.level === "error");
  // Nodes checked fine individually need no line each: the checks list stays readable at 50 nodes.
  const shown = [...preview.checks].sort((a, b) => ["error", "warn", "ok"].indexOf(a.level) - ["error", "warn", "ok"].indexOf(b.level));
  const toUpgrade = preview.nodes.filter((n) => !n.alreadyOnTarget).length;
  const start = useControlAccess("startUpgrade", preview.cluster);
  return (
    <Card className="space-y-5 p-5" aria-label="Plan preview" role="region">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 className="text-lg font-semibold">
            Plan: {preview.cluster} to {preview.targetVersion}
          </h2>
          <p className="text-sm text-fg-muted">
            {toUpgrade} of {preview.nodes.length} nodes to upgrade in {preview.batches.length} batches ·{" "}
            <span className="font-mono text-xs break-all">{preview.image}</span>
          </p>
        </div>
        {start.hidden ? (
          <p className="text-sm text-fg-muted">Starting an upgrade needs the Admin role.</p>
        ) : (
          <div className="flex max-w-sm flex-col items-end gap-1">
            <Button variant="primary" onClick={onStart} disabled={!preview.canStart || starting || !start.allowed} aria-describedby={start.allowed ? undefined : "start-upgrade-why"}>
              <Rocket aria-hidden className="size-4" />
              {starting ? "Starting…" : "Start upgrade"}
            </Button>
            {start.allowed ? null : (
              <p id="start-upgrade-why" className="text-right text-xs text-fg-muted">
                {start.reason}
              </p>
            )}
          </div>
        )}
      </div>

      {errors.length > 0 ? (
        <p role="alert" className="flex items-start gap-2 rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger">
          <CircleX aria-hidden className="mt-0.5 size-4 shrink-0" />
          {errors.length === 1 ? "One check blocks this upgrade." : `${errors.length} checks block this upgrade.`} Fix them, or leave the nodes out, then preview again.
        </p>
      ) : null}

      <section aria-label="Checks">
        <h3 className="mb-2 text-sm font-semibold">Checks</h3>
        <ul className="space-y-1.5">
          {shown.map((c, i) => (
            <CheckItem key={`${c.code}-${c.node ?? ""}-${i}`} check={c} />
          ))}
        </ul>
      </section>

      <section aria-label="Order">
        <h3 className="mb-2 text-sm font-semibold">Order</h3>
        <ol className="space-y-1.5">
          {preview.batches.map((b) => (
            <li key={b.index} className="flex flex-wrap items-baseline gap-x-3 gap-y-1 text-sm">
              <span className="w-16 shrink-0 text-xs font-medium uppercase tracking-wide text-fg-muted">Batch {b.index + 1}</span>
              <span className="w-28 shrink-0 text-xs text-fg-muted">{b.role === "controlplane" ? "control plane" : b.nodes.length > 1 ? `${b.nodes.length} workers at once` : "worker"}</span>
              <span className="flex flex-wrap gap-x-4">
                {b.nodes.map((id) => {
                  const n = byId.get(id)!;
                  return (
                    <span key={id}>
                      {n.hostname ?? n.address} <span className="font-mono text-xs text-fg-muted">{n.address}</span>{" "}
                      <span className="text-xs text-fg-muted">{n.alreadyOnTarget ? "(already on target)" : `${n.fromVersion ?? "?"} → ${preview.targetVersion}`}</span>
                    </span>
                  );
                })}
              </span>
            </li>
          ))}
        </ol>
        {preview.batches.some((b) => b.role === "controlplane") ? (
          <p className="mt-2 flex items-center gap-1 text-xs text-fg-muted">
            <Crown aria-hidden className="size-3" /> The etcd leader goes last among the control planes, so leadership moves once.
          </p>
        ) : null}
      </section>

      <section aria-label="Steps">
        <h3 className="mb-2 text-sm font-semibold">Steps</h3>
        <ul className="space-y-2 text-sm">
          {stepGroups(preview.nodes).map((g) => (
            <li key={g.key}>
              <div className="text-xs text-fg-muted">{g.names.join(", ")}</div>
              <ol className="mt-0.5 flex flex-wrap items-center gap-x-1 gap-y-0.5 text-xs">
                {g.steps.map((step, i) => (
                  <li key={i} className="flex items-center gap-1">
                    {i > 0 ? <span aria-hidden className="text-fg-muted">→</span> : null}
                    <span className="rounded bg-surface-muted px-1.5 py-0.5 [overflow-wrap:anywhere]">{step}</span>
                  </li>
                ))}
              </ol>
            </li>
          ))}
        </ul>
      </section>
    </Card>
  );
}

/** Nodes with the same steps share one line (50 workers are one line, not 50). */
function stepGroups(nodes: UpgradePreview["nodes"]): { key: string; names: string[]; steps: string[] }[] {
  const groups = new Map<string, { key: string; names: string[]; steps: string[] }>();
  for (const n of nodes) {
    const key = JSON.stringify(n.steps);
    const g = groups.get(key) ?? { key, names: [], steps: n.steps };
    g.names.push(n.hostname ?? n.address);
    groups.set(key, g);
  }
  return [...groups.values()];
}
