"use client";

import { useId, useState } from "react";

import { ConfirmDialog } from "@/components/config-push/confirm-dialog";
import { Input, Select } from "@/components/ui/input";
import { drainRequestSchema, type DrainRequest } from "@/lib/schemas/kubernetes";

interface DrainDialogProps {
  open: boolean;
  /** The Kubernetes node name, shown in the title and on the confirm button. */
  nodeName: string;
  onConfirm: (request: Required<DrainRequest>) => void;
  onCancel: () => void;
}

/**
 * Confirm a drain and choose its timeout and what happens when it passes. The bounds are the
 * route's (drainRequestSchema), checked here too so a typo is refused before a long request.
 */
export function DrainDialog({ open, nodeName, onConfirm, onCancel }: DrainDialogProps) {
  const [timeout, setTimeoutText] = useState("300");
  const [onTimeout, setOnTimeout] = useState<"halt" | "force">("halt");
  const [error, setError] = useState<string | null>(null);
  const ids = { timeout: useId(), policy: useId(), error: useId() };

  function confirm() {
    const parsed = drainRequestSchema.safeParse({ timeoutSeconds: Number(timeout), onTimeout });
    if (!/^\d+$/.test(timeout.trim()) || !parsed.success) {
      setError("The timeout is a whole number of seconds from 1 to 3600");
      return;
    }
    setError(null);
    onConfirm({ timeoutSeconds: parsed.data.timeoutSeconds, onTimeout: parsed.data.onTimeout });
  }

  return (
    <ConfirmDialog
      open={open}
      title={`Drain ${nodeName}?`}
      confirmLabel={`Drain ${nodeName}`}
      danger={onTimeout === "force"}
      onConfirm={confirm}
      onCancel={onCancel}
    >
      <p>
        Minos cordons the node, then evicts its pods through the Eviction API, honouring PodDisruptionBudgets. DaemonSet and static (mirror) pods stay, as with{" "}
        <code className="font-mono text-xs">kubectl drain</code>. The node stays cordoned afterwards: uncordon it when you are done.
      </p>
      <div className="grid gap-3 pt-2 sm:grid-cols-2">
        <div className="space-y-1">
          <label htmlFor={ids.timeout} className="block font-medium">
            Timeout (seconds)
          </label>
          <Input
            id={ids.timeout}
            inputMode="numeric"
            value={timeout}
            onChange={(e) => setTimeoutText(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? ids.error : undefined}
            className="w-full"
          />
        </div>
        <div className="space-y-1">
          <label htmlFor={ids.policy} className="block font-medium">
            When the timeout passes
          </label>
          <Select id={ids.policy} value={onTimeout} onChange={(e) => setOnTimeout(e.target.value === "force" ? "force" : "halt")} className="w-full">
            <option value="halt">Stop and show what blocks</option>
            <option value="force">Force: delete the remaining pods</option>
          </Select>
        </div>
      </div>
      {onTimeout === "force" ? <p className="text-warn">Forcing deletes pods a PodDisruptionBudget protects: their workloads may lose availability.</p> : null}
      {error ? (
        <p id={ids.error} role="alert" className="text-danger">
          {error}
        </p>
      ) : null}
    </ConfirmDialog>
  );
}
