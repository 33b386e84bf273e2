"use client";

import { CircleAlert } from "lucide-react";
import { useId, useState } from "react";

import { ConfirmDialog } from "@/components/config-push/confirm-dialog";
import { Input, Select } from "@/components/ui/input";
import type { RebootBody, RebootModeName, ResetBody, ResetMode, ShutdownBody } from "@/lib/schemas/node-actions";

/**
 * The confirmations of the node page's Actions menu: each names the node, says what Talos and
 * Minos will do (who drains, the quorum guard on control planes) and what the node looks like
 * afterwards. Reset, the one that destroys data, asks for the hostname typed.
 */

interface Common {
  open: boolean;
  /** The node's hostname (or address): in the title and on the confirm button. */
  name: string;
  controlPlane: boolean;
  busy: boolean;
  /** The server's refusal of the last attempt (quorum, drain blocked, a mismatch), shown in the dialog. */
  error: string | null;
  onCancel: () => void;
}

/** An action's failure, with an icon (never colour alone). */
export function ActionError({ message }: { message: string }) {
  return (
    <p role="alert" className="flex max-w-xl items-start gap-2 rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger">
      <CircleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
      <span>{message}</span>
    </p>
  );
}

function QuorumNote({ controlPlane, verb }: { controlPlane: boolean; verb: string }) {
  if (!controlPlane) return null;
  return (
    <p>
      This is a control plane: Minos first checks that etcd keeps quorum without it and refuses otherwise; if it leads etcd, it hands leadership to another member before it {verb}.
    </p>
  );
}

export function RebootDialog({ open, name, controlPlane, busy, error, onCancel, onConfirm }: Common & { onConfirm: (body: RebootBody) => void }) {
  const [mode, setMode] = useState<RebootModeName>("default");
  const id = useId();
  return (
    <ConfirmDialog open={open} title={`Reboot ${name}?`} confirmLabel={`Reboot ${name}`} danger busy={busy} onCancel={onCancel} onConfirm={() => onConfirm({ mode })}>
      <p>
        Minos cordons the node and drains its pods (honouring PodDisruptionBudgets, 300 s, then stops and says what blocks), then asks Talos to reboot it. The node is uncordoned once it is back and Ready.
      </p>
      <QuorumNote controlPlane={controlPlane} verb="goes down" />
      <div className="space-y-1 pt-1">
        <label htmlFor={id} className="block font-medium">
          Mode
        </label>
        <Select id={id} value={mode} onChange={(e) => setMode(e.target.value === "powercycle" ? "powercycle" : "default")} className="w-full">
          <option value="default">Reboot (kexec where Talos can)</option>
          <option value="powercycle">Power cycle (a full reset of the hardware)</option>
        </Select>
      </div>
      {error ? <ActionError message={error} /> : null}
    </ConfirmDialog>
  );
}

export function ShutdownDialog({ open, name, controlPlane, busy, error, onCancel, onConfirm }: Common & { onConfirm: (body: ShutdownBody) => void }) {
  const [force, setForce] = useState(false);
  const id = useId();
  return (
    <ConfirmDialog open={open} title={`Shut down ${name}?`} confirmLabel={`Shut down ${name}`} danger busy={busy} onCancel={onCancel} onConfirm={() => onConfirm({ force })}>
      <p>Talos cordons and drains the node itself, stops its services and powers it off. It stays off until someone powers it on: Minos cannot.</p>
      <QuorumNote controlPlane={controlPlane} verb="powers off" />
      <label htmlFor={id} className="flex items-center gap-2 pt-1">
        <input id={id} type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} />
        Force: skip Talos&apos;s drain (its pods go down with it)
      </label>
      {error ? <ActionError message={error} /> : null}
    </ConfirmDialog>
  );
}

const RESET_MODES: { value: ResetMode; label: string }[] = [
  { value: "all", label: "Everything: the system disk and user disks" },
  { value: "system-disk", label: "The system disk only" },
  { value: "user-disks", label: "User disks only" },
];

export function ResetDialog({ open, name, controlPlane, busy, error, onCancel, onConfirm }: Common & { onConfirm: (body: ResetBody) => void }) {
  const [graceful, setGraceful] = useState(true);
  const [mode, setMode] = useState<ResetMode>("all");
  const [reboot, setReboot] = useState(false);
  const [typed, setTyped] = useState("");
  const [disksText, setDisksText] = useState("");
  const ids = { graceful: useId(), mode: useId(), reboot: useId(), disks: useId(), confirm: useId(), hint: useId() };
  const matches = typed === name;
  const userDisks = disksText.split(/[\s,]+/).filter((d) => d.length > 0);
  // Talos wipes only the user disks named: user-disks without any would wipe nothing.
  const disksMissing = mode === "user-disks" && userDisks.length === 0;
  return (
    <ConfirmDialog
      open={open}
      title={`Reset ${name}?`}
      confirmLabel={`Reset ${name}`}
      danger
      busy={busy}
      confirmDisabled={!matches || disksMissing}
      onCancel={onCancel}
      onConfirm={() => {
        if (matches && !disksMissing) onConfirm({ graceful, mode, reboot, confirm: typed, ...(mode !== "system-disk" && userDisks.length > 0 ? { userDisks } : {}) });
      }}
    >
      <p className="font-medium text-danger">This wipes the node: its machine config, its data and its place in the cluster. It cannot be undone.</p>
      <p>
        {graceful
          ? `Graceful: Talos cordons and drains the node${controlPlane ? " and leaves etcd" : ""} first.`
          : `Not graceful: no drain${controlPlane ? ", and its etcd member stays: remove it from etcd afterwards" : ""}.`}{" "}
        Afterwards the node {reboot ? "reboots into maintenance mode, waiting for a config" : "halts"}.
      </p>
      <QuorumNote controlPlane={controlPlane} verb="is wiped" />
      <div className="grid gap-2 pt-1">
        <label htmlFor={ids.graceful} className="flex items-center gap-2">
          <input id={ids.graceful} type="checkbox" checked={graceful} onChange={(e) => setGraceful(e.target.checked)} />
          Graceful (drain{controlPlane ? ", leave etcd" : ""})
        </label>
        <label htmlFor={ids.reboot} className="flex items-center gap-2">
          <input id={ids.reboot} type="checkbox" checked={reboot} onChange={(e) => setReboot(e.target.checked)} />
          Reboot after the wipe
        </label>
        <div className="space-y-1">
          <label htmlFor={ids.mode} className="block font-medium">
            Wipe
          </label>
          <Select id={ids.mode} value={mode} onChange={(e) => setMode(RESET_MODES.find((m) => m.value === e.target.value)?.value ?? "all")} className="w-full">
            {RESET_MODES.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </Select>
        </div>
        {mode !== "system-disk" ? (
          <div className="space-y-1">
            <label htmlFor={ids.disks} className="block font-medium">
              User disks to wipe{mode === "all" ? " (optional)" : ""}
            </label>
            <Input id={ids.disks} value={disksText} onChange={(e) => setDisksText(e.target.value)} placeholder="/dev/sdb /dev/nvme1n1" autoComplete="off" spellCheck={false} className="w-full font-mono" />
            <p className="text-xs text-fg-muted">Device paths, separated by spaces or commas: Talos wipes only the user disks named.</p>
          </div>
        ) : null}
        <div className="space-y-1">
          <label htmlFor={ids.confirm} className="block font-medium">
            Type <span className="font-mono">{name}</span> to confirm
          </label>
          <Input id={ids.confirm} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} aria-describedby={ids.hint} className="w-full font-mono" />
          <p id={ids.hint} className="text-xs text-fg-muted">
            {typed.length === 0 ? "The reset button works once the hostname matches." : matches ? "The hostname matches." : "Does not match the hostname yet."}
          </p>
        </div>
      </div>
      {error ? <ActionError message={error} /> : null}
    </ConfirmDialog>
  );
}
