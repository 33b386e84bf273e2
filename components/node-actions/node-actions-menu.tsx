"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ChevronDown, CircleCheck, LoaderCircle, Power, PowerOff, RotateCcw, Trash2 } from "lucide-react";
import { useEffect, useRef, useState } from "react";

import { advance, finished, phaseText, type PowerActionKind, type Tracking } from "@/components/node-actions/progress";
import { ActionError, RebootDialog, ResetDialog, ShutdownDialog } from "@/components/node-actions/power-dialogs";
import { useControlAccess, type ControlAccess } from "@/components/auth/use-availability";
import { Button } from "@/components/ui/button";
import { fleetKeys } from "@/lib/client/fleet";
import { rebootNode, resetNode, shutdownNode } from "@/lib/client/node-actions";
import type { NodeSummary } from "@/lib/schemas/fleet";
import type { NodeActionResponse, RebootBody, ResetBody, ShutdownBody } from "@/lib/schemas/node-actions";

type Request = { kind: "reboot"; body: RebootBody } | { kind: "shutdown"; body: ShutdownBody } | { kind: "reset"; body: ResetBody };

function send(node: string, r: Request): Promise<NodeActionResponse> {
  switch (r.kind) {
    case "reboot":
      return rebootNode(node, r.body);
    case "shutdown":
      return shutdownNode(node, r.body);
    case "reset":
      return resetNode(node, r.body);
  }
}

const ITEMS: { kind: PowerActionKind; label: string; icon: typeof Power }[] = [
  { kind: "reboot", label: "Reboot…", icon: RotateCcw },
  { kind: "shutdown", label: "Shut down…", icon: PowerOff },
  { kind: "reset", label: "Reset…", icon: Trash2 },
];

/**
 * The node page's Actions menu: reboot and shut down for operators, reset for admins; viewers see
 * no menu. An item Minos's talosconfig for the cluster cannot do (os:reader has no Reboot) is
 * shown disabled with the reason, as the server would refuse it. Each item opens its
 * confirmation; once Talos accepted, the progress follows the live fleet snapshot (down → back,
 * or powered off).
 */
export function NodeActionsMenu({ summary }: { summary: NodeSummary }) {
  const access: Record<PowerActionKind, ControlAccess> = {
    reboot: useControlAccess("reboot", summary.cluster),
    shutdown: useControlAccess("shutdown", summary.cluster),
    reset: useControlAccess("resetNode", summary.cluster),
  };
  const queryClient = useQueryClient();
  const [menuOpen, setMenuOpen] = useState(false);
  const [dialog, setDialog] = useState<PowerActionKind | null>(null);
  const [tracking, setTracking] = useState<Tracking | null>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const name = summary.hostname ?? summary.address;

  const action = useMutation({
    mutationFn: (r: Request) => send(summary.id, r),
    onSuccess: (res, r) => {
      setDialog(null);
      setTracking({ kind: r.kind, reboots: r.kind === "reset" && r.body.reboot === true, bootIdBefore: res.bootIdBefore, phase: "sent" });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: fleetKeys.all }),
  });

  // Each new look at the node (SSE keeps the summary live) may move the progress on: adjusted
  // while rendering, as React advises for state derived from changing props.
  const { reachable, stage, bootId } = summary;
  const seenKey = `${reachable}|${stage}|${bootId ?? ""}`;
  const [seen, setSeen] = useState(seenKey);
  if (seen !== seenKey) {
    setSeen(seenKey);
    if (tracking && !finished(tracking)) setTracking(advance(tracking, { reachable, stage, bootId }));
  }

  useEffect(() => {
    if (!menuOpen) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !menuRef.current?.contains(e.target as Node)) setMenuOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [menuOpen]);

  const items = ITEMS.flatMap((i) => {
    const a = access[i.kind];
    return a.hidden ? [] : [{ ...i, reason: a.allowed ? null : a.reason }];
  });
  if (items.length === 0) return null;
  const controlPlane = summary.role === "controlplane";
  const busy = action.isPending;
  const common = { name, controlPlane, busy, error: action.isError ? action.error.message : null, onCancel: () => setDialog(null) };
  const open = (kind: PowerActionKind) => {
    action.reset();
    setMenuOpen(false);
    setDialog(kind);
  };

  return (
    <div className="flex flex-col items-end gap-2">
      <div ref={menuRef} className="relative">
        <Button aria-haspopup="menu" aria-expanded={menuOpen} onClick={() => setMenuOpen((o) => !o)} disabled={busy}>
          <Power aria-hidden className="size-4" />
          Actions
          <ChevronDown aria-hidden className="size-4" />
        </Button>
        {menuOpen ? (
          <ul role="menu" aria-label={`Actions on ${name}`} className="absolute right-0 z-20 mt-1 min-w-44 rounded-md border border-border bg-surface p-1 shadow-lg">
            {items.map((i) => (
              <li key={i.kind} role="none">
                <button
                  type="button"
                  role="menuitem"
                  disabled={i.reason !== null}
                  title={i.reason ?? undefined}
                  onClick={() => open(i.kind)}
                  className={`flex w-full items-center gap-2 rounded px-3 py-2 text-left text-sm hover:bg-surface-muted disabled:cursor-not-allowed disabled:opacity-60 ${i.kind === "reset" ? "text-danger" : ""}`}
                >
                  <i.icon aria-hidden className="size-4" />
                  <span className="flex flex-col">
                    {i.label}
                    {i.reason ? <span className="text-xs text-fg-muted">{i.reason}</span> : null}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </div>

      {action.isError && dialog === null ? <ActionError message={action.error.message} /> : null}
      {tracking ? <ActionProgress tracking={tracking} name={name} result={action.data ?? null} onDismiss={() => setTracking(null)} /> : null}

      <RebootDialog {...common} open={dialog === "reboot"} onConfirm={(body) => action.mutate({ kind: "reboot", body })} />
      <ShutdownDialog {...common} open={dialog === "shutdown"} onConfirm={(body) => action.mutate({ kind: "shutdown", body })} />
      <ResetDialog key={dialog === "reset" ? "open" : "closed"} {...common} open={dialog === "reset"} onConfirm={(body) => action.mutate({ kind: "reset", body })} />
    </div>
  );
}

function ActionProgress({ tracking, name, result, onDismiss }: { tracking: Tracking; name: string; result: NodeActionResponse | null; onDismiss: () => void }) {
  const done = finished(tracking);
  return (
    <div role="status" aria-live="polite" aria-label="Action progress" className="max-w-xl space-y-1 rounded-md border border-border bg-surface-muted px-3 py-2 text-sm">
      <p className="flex items-start gap-2">
        {done ? <CircleCheck aria-hidden className="mt-0.5 size-4 shrink-0 text-ok" /> : <LoaderCircle aria-hidden className="mt-0.5 size-4 shrink-0 animate-spin" />}
        <span>{phaseText(tracking, name)}</span>
      </p>
      {result && result.warnings.length > 0 ? (
        <ul aria-label="Warnings" className="list-inside list-disc text-warn">
          {result.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
      {result && result.steps.length > 0 ? (
        <details className="text-xs text-fg-muted">
          <summary className="cursor-pointer">What Minos did</summary>
          <ol className="list-inside list-decimal">
            {result.steps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ol>
        </details>
      ) : null}
      {done ? (
        <Button size="sm" variant="ghost" onClick={onDismiss}>
          Dismiss
        </Button>
      ) : null}
    </div>
  );
}
