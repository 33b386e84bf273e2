"use client";

import { Hand, PackageMinus, RotateCcw, SkipForward, Trash2 } from "lucide-react";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import type { DrainAction, NodeDrain } from "@/lib/schemas/drain";

interface NodeDrainProps {
  drain: NodeDrain | null | undefined;
  /** The node waits for a person (`drain-blocked`): show what blocks it and the answers. */
  blocked: boolean;
  /** Whether this person may answer (operator); hidden buttons otherwise. */
  canAct: boolean;
  busy: boolean;
  onAction: (action: DrainAction) => void;
  /** The node's name for the buttons' accessible names. */
  label: string;
}

/**
 * A node's drain on an upgrade or rollout row: one line while it goes well; when blocked, the
 * pods in the way with the PodDisruptionBudgets that refused them, and Retry / Force / Skip
 * (Force and Skip ask once more, since they reboot the node with pods still on it).
 */
export function NodeDrainInfo({ drain, blocked, canAct, busy, onAction, label }: NodeDrainProps) {
  const [confirm, setConfirm] = useState<DrainAction | null>(null);
  if (!drain) return null;
  if (!blocked) {
    return (
      <p className="mt-1 flex items-start gap-1 text-xs text-fg-muted">
        <PackageMinus aria-hidden className="mt-0.5 size-3 shrink-0" />
        <span>
          <span className="sr-only">Drain: </span>
          {drain.message}
        </span>
      </p>
    );
  }
  const ask = (a: DrainAction) => (a === "retry-drain" ? onAction(a) : setConfirm(a));
  return (
    <div role="group" aria-label={`Blocked drain of ${label}`} className="mt-2 space-y-2 rounded-md border border-warn/40 bg-warn/10 p-2 text-xs">
      <p className="flex items-start gap-1 font-medium text-fg">
        <Hand aria-hidden className="mt-0.5 size-3 shrink-0 text-warn" />
        <span>
          {drain.blocking.length > 0
            ? `Waiting for a person: ${drain.blocking.length === 1 ? "this pod" : `these ${drain.blocking.length} pods`} would not move in time`
            : `Waiting for a person: ${drain.message}`}
        </span>
      </p>
      {drain.blocking.length > 0 ? (
        <ul aria-label="Pods in the way" className="space-y-1">
          {drain.blocking.map((p) => (
            <li key={`${p.namespace}/${p.name}`} className="[overflow-wrap:anywhere]">
              <span className="font-mono">
                {p.namespace}/{p.name}
              </span>
              {p.pdbs.length > 0 ? (
                <>
                  {" "}
                  · PDB <span className="font-mono">{p.pdbs.join(", ")}</span>
                </>
              ) : null}
              <div className="text-fg-muted">{p.reason}</div>
            </li>
          ))}
        </ul>
      ) : null}
      {canAct ? (
        confirm ? (
          <div className="flex flex-wrap items-center gap-2">
            <span>{confirm === "force-drain" ? "Delete the pods that are left, then reboot?" : "Reboot with the pods still on the node?"}</span>
            <Button size="sm" variant="danger" disabled={busy} onClick={() => {
                onAction(confirm);
                setConfirm(null);
              }}>
              {confirm === "force-drain" ? "Yes, force" : "Yes, skip the drain"}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setConfirm(null)}>
              No
            </Button>
          </div>
        ) : (
          <div className="flex flex-wrap gap-2">
            <Button size="sm" disabled={busy} onClick={() => ask("retry-drain")} aria-label={`Retry the drain of ${label}`}>
              <RotateCcw aria-hidden className="size-3" />
              Retry
            </Button>
            <Button size="sm" disabled={busy} onClick={() => ask("force-drain")} aria-label={`Force the drain of ${label}`}>
              <Trash2 aria-hidden className="size-3" />
              Force
            </Button>
            <Button size="sm" disabled={busy} onClick={() => ask("skip-drain")} aria-label={`Skip the drain of ${label}`}>
              <SkipForward aria-hidden className="size-3" />
              Skip drain
            </Button>
          </div>
        )
      ) : null}
    </div>
  );
}
