"use client";

import { CircleCheck, CircleX, Play, TriangleAlert } from "lucide-react";

import { useControlAccess } from "@/components/auth/use-availability";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import type { KubernetesUpgradePreview } from "@/lib/schemas/kubernetes-upgrades";

/** The preview: from → to, the checks (errors refuse the start), and every step in order. */
export function KubeUpgradePreview({ preview, starting, onStart }: { preview: KubernetesUpgradePreview; starting: boolean; onStart: () => void }) {
  // The upgrade patches machine configs: an admin with an os:admin talosconfig.
  const start = useControlAccess("applyConfig", preview.cluster);
  return (
    <Card className="space-y-4 p-5" role="region" aria-label="Kubernetes upgrade preview">
      <div className="space-y-1">
        <h3 className="font-semibold">
          {preview.cluster}: Kubernetes <span className="font-mono">{preview.fromVersion ?? "?"}</span> → <span className="font-mono">{preview.toVersion}</span>
        </h3>
        <p className="text-xs text-fg-muted">
          {preview.steps.length} steps · {preview.nodes.length} nodes · manifests synced by {preview.manifestsSync === "server-side-apply" ? "server-side apply" : "the legacy sync (a node runs Talos before 1.13)"}
        </p>
      </div>
      <ul className="space-y-1 text-sm" aria-label="Checks">
        {preview.checks.length === 0 ? (
          <li className="flex items-center gap-2 text-ok">
            <CircleCheck aria-hidden className="size-4" />
            Every check passed.
          </li>
        ) : (
          preview.checks.map((c, i) => {
            const Icon = c.level === "error" ? CircleX : c.level === "warn" ? TriangleAlert : CircleCheck;
            return (
              <li key={i} className={`flex items-start gap-2 ${c.level === "error" ? "text-danger" : c.level === "warn" ? "text-warn" : ""}`}>
                <Icon aria-hidden className="mt-0.5 size-4 shrink-0" />
                <span>
                  <span className="sr-only">{c.level}: </span>
                  {c.message}
                </span>
              </li>
            );
          })
        )}
      </ul>
      <ol className="list-decimal space-y-0.5 pl-6 text-sm" aria-label="Steps">
        {preview.steps.map((s) => (
          <li key={s.index}>{s.description}</li>
        ))}
      </ol>
      {start.hidden ? null : (
        <div className="flex items-center gap-3">
          <Button variant="primary" onClick={onStart} disabled={!preview.canStart || starting || !start.allowed}>
            <Play aria-hidden className="size-4" />
            Start the Kubernetes upgrade
          </Button>
          {!start.allowed ? <span className="text-xs text-fg-muted">{start.reason}</span> : !preview.canStart ? <span className="text-xs text-danger">Fix the errors above first.</span> : null}
        </div>
      )}
    </Card>
  );
}
