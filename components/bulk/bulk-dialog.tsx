"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

import { ConfirmDialog } from "@/components/config-push/confirm-dialog";
import { Input, Select } from "@/components/ui/input";
import { createBulk } from "@/lib/client/bulk";
import type { BulkAction, CreateBulkBody } from "@/lib/schemas/bulk";
import type { NodeSelector } from "@/lib/schemas/selector";

import { ACTION_LABEL } from "./bulk-model";

/** What the dialog acts on: the rows chosen, or a selector (labels resolved by the server). */
export type BulkTarget = { kind: "nodes"; nodes: string[] } | { kind: "selector"; selector: NodeSelector };

interface BulkDialogProps {
  action: BulkAction | null;
  target: BulkTarget;
  onClose: () => void;
}

const DANGER: BulkAction[] = ["reboot", "upgrade", "apply-patch", "service-restart"];

/** The action's own fields; what is sent beside the selection. */
interface Params {
  concurrency: number;
  continueOnFailure: boolean;
  mode: "default" | "powercycle";
  drain: boolean;
  service: string;
  version: string;
  patch: string;
}

const INITIAL: Params = { concurrency: 1, continueOnFailure: false, mode: "default", drain: true, service: "kubelet", version: "", patch: "" };

export function bodyOf(action: BulkAction, target: BulkTarget, p: Params, dryRun: boolean): CreateBulkBody {
  const common = { ...(target.kind === "nodes" ? { nodes: target.nodes } : { selector: target.selector }), concurrency: p.concurrency, continueOnFailure: p.continueOnFailure, dryRun };
  switch (action) {
    case "reboot":
      return { ...common, action, mode: p.mode, drain: { enabled: p.drain } };
    case "service-restart":
      return { ...common, action, service: p.service.trim() };
    case "upgrade":
      return { ...common, action, version: p.version.trim() };
    case "apply-patch":
      return { ...common, action, patch: p.patch };
    case "cordon":
    case "uncordon":
      return { ...common, action };
  }
}

/**
 * The confirmation of a bulk action: its parameters, then the plan the server resolves (the
 * nodes in the order they go, their batches, what happens), then the start, which opens the
 * progress page (or the upgrade or rollout the work was handed to).
 */
/** `value` once it stopped changing for `ms` (the plan is asked for once typing pauses: POST /api/bulk is rate-limited). */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function BulkDialog({ action, target, onClose }: BulkDialogProps) {
  const router = useRouter();
  const [p, setP] = useState<Params>(INITIAL);
  const set = (c: Partial<Params>) => setP((old) => ({ ...old, ...c }));
  const asked = useSettled(p, 400);
  const ready = action !== null && (action !== "upgrade" || asked.version.trim() !== "") && (action !== "apply-patch" || asked.patch.trim() !== "") && (action !== "service-restart" || asked.service.trim() !== "");
  const plan = useQuery({
    queryKey: ["bulk", "plan", action, target, asked],
    queryFn: () => createBulk(bodyOf(action!, target, asked, true)),
    enabled: ready,
    retry: false,
    staleTime: 5_000,
  });
  const start = useMutation({
    mutationFn: () => createBulk(bodyOf(action!, target, p, false)),
    onSuccess: (out) => {
      onClose();
      if (out.kind === "bulk") router.push(`/bulk/${encodeURIComponent(out.run.id)}`);
      else if (out.kind !== "plan") router.push(out.href);
    },
  });
  if (action === null) return null;
  const planned = plan.data?.kind === "plan" ? plan.data.plan : null;
  const count = planned?.nodes.length ?? (target.kind === "nodes" ? target.nodes.length : 0);
  return (
    <ConfirmDialog
      open
      title={`${ACTION_LABEL[action]}: ${count} node${count === 1 ? "" : "s"}`}
      confirmLabel={`${ACTION_LABEL[action]} ${count} node${count === 1 ? "" : "s"}`}
      danger={DANGER.includes(action)}
      busy={start.isPending}
      // The plan shown must be the one for these parameters.
      confirmDisabled={!planned || asked !== p}
      onConfirm={() => start.mutate()}
      onCancel={onClose}
    >
      <div className="grid grid-cols-2 gap-3">
        {action === "reboot" ? (
          <>
            <label className="flex flex-col gap-1 text-xs font-medium text-fg-muted">
              Reboot mode
              <Select value={p.mode} onChange={(e) => set({ mode: e.target.value as Params["mode"] })}>
                <option value="default">Default</option>
                <option value="powercycle">Power cycle</option>
              </Select>
            </label>
            <label className="flex items-center gap-2 self-end text-sm">
              <input type="checkbox" checked={p.drain} onChange={(e) => set({ drain: e.target.checked })} className="size-4 accent-accent" />
              Drain each node first
            </label>
          </>
        ) : null}
        {action === "service-restart" ? (
          <label className="col-span-2 flex flex-col gap-1 text-xs font-medium text-fg-muted">
            Service (Talos&apos;s API restarts kubelet and extension services, ext-…)
            <Input value={p.service} onChange={(e) => set({ service: e.target.value })} />
          </label>
        ) : null}
        {action === "upgrade" ? (
          <label className="col-span-2 flex flex-col gap-1 text-xs font-medium text-fg-muted">
            Talos version
            <Input value={p.version} placeholder="v1.14.0" onChange={(e) => set({ version: e.target.value })} />
          </label>
        ) : null}
        {action === "apply-patch" ? (
          <label className="col-span-2 flex flex-col gap-1 text-xs font-medium text-fg-muted">
            Patch (strategic merge YAML or a JSON patch), applied to each node&apos;s running config
            <textarea value={p.patch} rows={5} onChange={(e) => set({ patch: e.target.value })} className="rounded-md border border-border bg-surface p-2 font-mono text-xs text-fg" />
          </label>
        ) : null}
        <label className="flex flex-col gap-1 text-xs font-medium text-fg-muted">
          Workers at once
          <Input type="number" min={1} max={16} value={p.concurrency} onChange={(e) => set({ concurrency: Math.min(16, Math.max(1, Number(e.target.value) || 1)) })} />
        </label>
        <label className="flex items-center gap-2 self-end text-sm">
          <input type="checkbox" checked={p.continueOnFailure} onChange={(e) => set({ continueOnFailure: e.target.checked })} className="size-4 accent-accent" />
          Go on after a failure
        </label>
      </div>
      {plan.isError ? (
        <p role="alert" className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-danger">
          {plan.error.message}
        </p>
      ) : null}
      {plan.isFetching && !planned ? <p className="text-fg-muted">Resolving the selection…</p> : null}
      {planned ? (
        <section aria-label="Plan" className="space-y-2">
          <p>
            Selection: <span className="font-mono text-xs">{planned.selection}</span> in <strong>{planned.cluster}</strong>
          </p>
          <ul className="list-disc space-y-1 pl-5">
            {planned.steps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
          <ol aria-label="Nodes in order" className="max-h-40 overflow-auto rounded-md border border-border bg-surface-muted p-2 text-xs">
            {planned.nodes.map((n) => (
              <li key={n.id}>
                {n.batch + 1}. {n.hostname ?? n.id} <span className="text-fg-muted">({n.role === "controlplane" ? "control plane" : "worker"})</span>
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      {start.isError ? (
        <p role="alert" className="text-danger">
          {start.error.message}
        </p>
      ) : null}
    </ConfirmDialog>
  );
}
